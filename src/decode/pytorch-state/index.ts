import { defineDecoder, openOnDemand } from '../decoder.ts';
import { firstEntryName, looksLikeZip } from '../zip/sniff.ts';
import { looksLikeLegacyTorch } from './sniff.ts';

const latin1 = new TextDecoder('latin1');

/**
 * A torch.save zip (not TorchScript): its first entry is `<name>/data.pkl`, stored uncompressed, so its pickle's
 * start is in the head. TorchScript pickles name `__torch__` classes there; state_dicts and module pickles do not.
 */
function looksLikeTorchSave(head: Uint8Array): boolean {
  if (!looksLikeZip(head) || !/^([^/]+\/)?data\.pkl$/.test(firstEntryName(head))) return false;
  return !latin1.decode(head).includes('__torch__');
}

/**
 * PyTorch checkpoints written by torch.save: state_dicts, training checkpoints (optimizer state listed apart) and
 * pickled modules, in the zip and the legacy format. Registered before the TorchScript decoder, whose sniff also
 * accepts any torch zip: this one takes the zips without `__torch__` classes, TorchScript keeps the rest.
 */
export const pytorchStateDecoder = defineDecoder({
  id: 'pytorch',
  name: 'PyTorch checkpoint (torch.save)',
  extensions: ['.pth', '.pt', '.ckpt', '.pkl'],
  sniff: (head) => looksLikeLegacyTorch(head) || looksLikeTorchSave(head),
  open: openOnDemand(async () => (await import('./decoder.ts')).openTorchCheckpoint),
});
