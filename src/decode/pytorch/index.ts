import { defineDecoder, openOnDemand } from '../decoder.ts';
import { firstEntryName, looksLikeZip } from '../zip/sniff.ts';

/** Entry names torch.jit.save / torch.save write under the archive's top folder. */
const TORCH_ENTRY = /^[^/]+\/(data\.pkl|data\/\d+|code\/|constants\.pkl|version|\.data\/|byteorder|extra\/)/;

export const pytorchDecoder = defineDecoder({
  id: 'pytorch',
  name: 'PyTorch TorchScript',
  extensions: ['.pt', '.pth', '.torchscript'],
  sniff(head, fileName) {
    if (!looksLikeZip(head)) return false;
    const first = firstEntryName(head);
    if (first) return TORCH_ENTRY.test(first);
    return /\.(pt|pth|ptl|torchscript)$/i.test(fileName);
  },
  open: openOnDemand(async () => (await import('./decoder.ts')).openPytorch),
});
