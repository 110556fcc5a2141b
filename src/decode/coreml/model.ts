import { WIRE_LEN, WIRE_VARINT, type WireStream, walkFields } from '../protobuf/wire-stream.ts';
import { ints, text } from './fields.ts';
import { program, type MilFunction } from './mil.ts';
import {
  ARRAY_DTYPE,
  F,
  LAYER,
  LAYER_TYPES,
  MODEL_TYPES,
  NN_MODELS,
  PACKED_PARAMS,
  PARAM_NAMES,
  PIPELINE_MODELS,
  SUBNET_FIELDS,
  WEIGHT_FIELDS,
} from './schema.ts';

/**
 * Streaming reader of a Core ML Model message. Every level is walked field by field with the window loaded only
 * for what is parsed, so weight payloads (WeightParams floatValue / float16Value / rawValue) are recorded by offset
 * and skipped, never read.
 */

export interface CmFeature {
  name: string;
  dtype: number;
  dims: number[] | null;
  kind: string;
}

export interface CmWeight {
  name: string;
  dtype: number;
  /** Element count implied by the payload. */
  count: number;
  offset: number;
  length: number;
}

export interface CmLayer {
  name: string;
  typeField: number;
  inputs: string[];
  outputs: string[];
  offset: number;
  length: number;
  weights: CmWeight[];
  /** Parameter field → numbers, or a note for a nested message. */
  params: Map<number, number[] | string>;
  subnets: { name: string; layers: CmLayer[] }[];
}

export interface CmModel {
  specificationVersion: number;
  inputs: CmFeature[];
  outputs: CmFeature[];
  metadata: Record<string, string>;
  typeField: number;
  layers: CmLayer[];
  pipeline: CmModel[];
  /** ML Program functions (model type 502). */
  functions: MilFunction[];
}

const MAX_DEPTH = 32;
export const ML_PROGRAM = 502;

async function feature(r: WireStream, end: number): Promise<CmFeature> {
  const f: CmFeature = { name: '', dtype: 0, dims: null, kind: '' };
  await walkFields(r, end, async (n, wire, fend) => {
    if (n === F.feature.name) f.name = await text(r, wire, fend, 'FeatureDescription.name');
    else if (n === F.feature.type && wire === WIRE_LEN) {
      await walkFields(r.at('FeatureDescription.type'), fend, async (t, w2, tend) => {
        if (t === F.featureType.int64) [f.kind, f.dtype] = ['int64', 7];
        else if (t === F.featureType.double) [f.kind, f.dtype] = ['double', 11];
        else if (t === F.featureType.string) [f.kind, f.dtype] = ['string', 8];
        else if (t === F.featureType.dictionary) f.kind = 'dictionary';
        else if (t === F.featureType.sequence) f.kind = 'sequence';
        else if (t === F.featureType.image && w2 === WIRE_LEN) {
          f.kind = 'image';
          f.dtype = 2;
          let w = -1;
          let h = -1;
          let space = 0;
          await walkFields(r.at('ImageFeatureType'), tend, async (k, w3, kend) => {
            const v: number[] = [];
            if (k === F.image.width || k === F.image.height || k === F.image.colorSpace) await ints(r, w3, kend, v);
            if (k === F.image.width) w = v[0] ?? -1;
            if (k === F.image.height) h = v[0] ?? -1;
            if (k === F.image.colorSpace) space = v[0] ?? 0;
          });
          // colorSpace GRAYSCALE = 10, RGB = 20, BGR = 30.
          f.dims = [space === 10 ? 1 : space === 20 || space === 30 ? 3 : -1, h > 0 ? h : -1, w > 0 ? w : -1];
        } else if (t === F.featureType.multiArray && w2 === WIRE_LEN) {
          f.kind = 'multiArray';
          const shape: number[] = [];
          await walkFields(r.at('ArrayFeatureType'), tend, async (k, w3, kend) => {
            if (k === F.multiArray.shape) await ints(r, w3, kend, shape);
            else if (k === F.multiArray.dataType && w3 === WIRE_VARINT) f.dtype = ARRAY_DTYPE[r.uint()] ?? 0;
          });
          if (shape.length) f.dims = shape.map((d) => (d > 0 ? d : -1));
        }
      });
    }
  });
  return f;
}

async function description(r: WireStream, end: number, m: CmModel): Promise<void> {
  await walkFields(r, end, async (n, wire, fend) => {
    if (wire !== WIRE_LEN) return;
    if (n === F.description.input) m.inputs.push(await feature(r.at('ModelDescription.input'), fend));
    else if (n === F.description.output) m.outputs.push(await feature(r.at('ModelDescription.output'), fend));
    else if (n === F.description.metadata) {
      await walkFields(r.at('ModelDescription.metadata'), fend, async (k, w2, kend) => {
        const key = (
          { 1: 'shortDescription', 2: 'versionString', 3: 'author', 4: 'license' } as Record<number, string>
        )[k];
        if (key && w2 === WIRE_LEN) m.metadata[key] = (await text(r, w2, kend, key)).slice(0, 1000);
      });
    }
  });
}

async function weightParams(r: WireStream, end: number, name: string, out: CmWeight[]): Promise<void> {
  await walkFields(r, end, (n, wire, fend) => {
    if (wire !== WIRE_LEN) return;
    const length = fend - r.pos;
    if (!length) return;
    if (n === F.weights.floatValue) {
      if (length % 4) r.fail(`${name}: floatValue length ${length} is not a multiple of 4`);
      out.push({ name, dtype: 1, count: length / 4, offset: r.pos, length });
    } else if (n === F.weights.float16Value) {
      if (length % 2) r.fail(`${name}: float16Value length ${length} is not a multiple of 2`);
      out.push({ name, dtype: 10, count: length / 2, offset: r.pos, length });
    } else if (n === F.weights.rawValue) out.push({ name, dtype: 2, count: length, offset: r.pos, length });
    else if (n === F.weights.int8RawValue) out.push({ name, dtype: 3, count: length, offset: r.pos, length });
  });
}

/** Reads one NeuralNetworkLayer; `withParams` also collects the scalar fields of its parameters (node details). */
export async function layer(r: WireStream, end: number, depth: number, withParams = false): Promise<CmLayer> {
  const l: CmLayer = {
    name: '',
    typeField: -1,
    inputs: [],
    outputs: [],
    offset: r.pos,
    length: end - r.pos,
    weights: [],
    params: new Map(),
    subnets: [],
  };
  await walkFields(r, end, async (n, wire, fend) => {
    if (n === F.layer.name) l.name = await text(r, wire, fend, 'NeuralNetworkLayer.name');
    else if (n === F.layer.input) l.inputs.push(await text(r, wire, fend, 'NeuralNetworkLayer.input'));
    else if (n === F.layer.output) l.outputs.push(await text(r, wire, fend, 'NeuralNetworkLayer.output'));
    else if (n >= 100 && wire === WIRE_LEN) {
      l.typeField = n;
      const weightFields = new Map(WEIGHT_FIELDS[n] ?? []);
      const subnetFields = new Map(SUBNET_FIELDS[n] ?? []);
      const named = PARAM_NAMES[n];
      const packed = PACKED_PARAMS[n] ?? [];
      await walkFields(r.at(`${l.name || 'layer'}.${LAYER_TYPES[n] ?? `layer_${n}`}`), fend, async (k, w2, kend) => {
        const wname = weightFields.get(k);
        const sname = subnetFields.get(k);
        if (wname && w2 === WIRE_LEN) await weightParams(r, kend, wname, l.weights);
        else if (sname && w2 === WIRE_LEN && !withParams) {
          if (depth >= MAX_DEPTH) r.fail(`networks nested deeper than ${MAX_DEPTH}`);
          l.subnets.push({ name: sname, layers: await network(r, kend, depth + 1) });
        } else if (n === LAYER.activation && named?.[k]) {
          l.params.set(k, '');
        } else if (withParams || named?.[k]) {
          const prev = l.params.get(k);
          if (w2 !== WIRE_LEN || (packed.includes(k) && kend - r.pos <= 4096)) {
            // Scalars, and the packed repeated numbers of named fields (kernelSize, stride, ...).
            const v: number[] = [];
            await ints(r, w2, kend, v);
            l.params.set(k, [...(Array.isArray(prev) ? prev : []), ...v]);
          } else l.params.set(k, kend > r.pos ? `(${kend - r.pos} bytes)` : 'set');
        }
      });
    }
  });
  if (l.typeField === LAYER.activation && !withParams) l.params.clear();
  return l;
}

export async function network(r: WireStream, end: number, depth: number): Promise<CmLayer[]> {
  const layers: CmLayer[] = [];
  await walkFields(r, end, async (n, wire, fend) => {
    if (n === F.network.layers && wire === WIRE_LEN)
      layers.push(await layer(r.at(`layers[${layers.length}]`), fend, depth));
  });
  return layers;
}

export async function model(r: WireStream, end: number, depth = 0): Promise<CmModel> {
  const m: CmModel = {
    specificationVersion: -1,
    inputs: [],
    outputs: [],
    metadata: {},
    typeField: -1,
    layers: [],
    pipeline: [],
    functions: [],
  };
  await walkFields(r, end, async (n, wire, fend) => {
    if (n === F.model.specificationVersion && wire === WIRE_VARINT) m.specificationVersion = r.int64();
    else if (n === F.model.description && wire === WIRE_LEN) await description(r.at('Model.description'), fend, m);
    else if (MODEL_TYPES[n] && wire === WIRE_LEN) {
      m.typeField = n;
      if (NN_MODELS.has(n)) m.layers = await network(r.at(MODEL_TYPES[n]), fend, depth);
      else if (n === ML_PROGRAM) {
        const p = await program(r.at('mlProgram'), fend);
        m.functions = p.functions;
        if (p.version >= 0) m.metadata.programVersion = String(p.version);
      } else if (PIPELINE_MODELS.has(n)) {
        if (depth >= MAX_DEPTH) r.fail(`pipelines nested deeper than ${MAX_DEPTH}`);
        const readPipeline = async (pend: number) =>
          walkFields(r.at('Pipeline'), pend, async (k, w2, kend) => {
            if (k === F.pipeline.models && w2 === WIRE_LEN)
              m.pipeline.push(await model(r.at(`Pipeline.models[${m.pipeline.length}]`), kend, depth + 1));
          });
        if (n === 202) await readPipeline(fend);
        else {
          await walkFields(r.at(MODEL_TYPES[n]), fend, async (k, w2, kend) => {
            if (k === F.pipelineHolder.pipeline && w2 === WIRE_LEN) await readPipeline(kend);
          });
        }
      }
    }
  });
  return m;
}
