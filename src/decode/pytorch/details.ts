import type { NodeDetails } from '../decoder.ts';
import type { TorchNodeInfo } from './torchscript.ts';

/** The TorchScript statement a node came from, with its module path and class. */
export function pytorchNodeDetails(info: TorchNodeInfo | undefined): NodeDetails {
  if (!info) return { attributes: [] };
  const attributes = [{ name: 'code', type: 'TorchScript', value: info.code }];
  if (info.module) attributes.push({ name: 'module', type: 'path', value: info.module });
  if (info.cls) attributes.push({ name: 'class', type: 'string', value: info.cls });
  return { attributes };
}
