"""Convert registry models to ONNX. Runs inside the throwaway build venv (TensorFlow + tf2onnx), not in anfang's.

Invoked by :mod:`anfang.models.build` as ``<venv>/bin/python convert.py --src DIR --out DIR name ...``.
For each model it writes ``<name>.onnx`` and ``<name>.info.json`` (actual I/O shapes, max abs difference
between TensorFlow and onnxruntime on a fixed test input), so the caller can write the manifest without
importing TensorFlow itself.

TF.js graph models are a GraphDef in JSON plus a flat weights blob. TF.js' converter fuses
conv/matmul + bias + activation into ops (``_FusedConv2D`` ...) that tf2onnx does not all understand, so we
split them back into standard ops before conversion. tf2onnx's own ``--tfjs`` reader is not used: it breaks
under numpy 2.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import traceback
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # oneDNN reorders float sums; keep TF the exact reference

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from specs import MODELS, ONNX_OPSET  # noqa: E402

_NP_DTYPES = {"float32": np.float32, "int32": np.int32, "bool": np.bool_, "uint8": np.uint8, "int64": np.int64}
_ACTIVATIONS = {"Relu", "Relu6", "Elu", "Sigmoid", "Tanh"}


def _log(msg: str) -> None:
    print(f"[convert] {msg}", flush=True)


def _read_weights(model_json: dict, base: Path) -> dict[str, np.ndarray]:
    """Decode the weights manifest: concatenated shards, per-tensor dtype and optional quantisation."""
    out: dict[str, np.ndarray] = {}
    for group in model_json["weightsManifest"]:
        blob = b"".join((base / p).read_bytes() for p in group["paths"])
        off = 0
        for w in group["weights"]:
            shape = [int(s) for s in w["shape"]]
            count = int(np.prod(shape)) if shape else 1
            quant = w.get("quantization")
            if quant:
                qdt = {"float16": np.float16, "uint8": np.uint8, "uint16": np.uint16}[quant["dtype"]]
                raw = np.frombuffer(blob, dtype=qdt, count=count, offset=off)
                off += raw.nbytes
                if quant["dtype"] == "float16":
                    arr = raw.astype(np.float32)
                else:
                    arr = raw.astype(np.float32) * quant["scale"] + quant["min"]
                arr = arr.astype(_NP_DTYPES[w["dtype"]])
            else:
                dt = _NP_DTYPES[w["dtype"]]
                arr = np.frombuffer(blob, dtype=dt, count=count, offset=off)
                off += arr.nbytes
            out[w["name"]] = arr.reshape(shape)
    return out


def _split_fused(graph_def):  # noqa: ANN001, ANN202 - TF types only exist in the build venv
    """Replace TF.js fused ops by conv/depthwise/matmul + BiasAdd (+ activation), keeping the output name."""
    from tensorflow.core.framework import node_def_pb2

    base_ops = {
        "_FusedConv2D": "Conv2D",
        "FusedDepthwiseConv2dNative": "DepthwiseConv2dNative",
        "_FusedMatMul": "MatMul",
    }
    drop_attrs = {"fused_ops", "num_args", "epsilon", "leakyrelu_alpha"}
    nodes = []
    for node in graph_def.node:
        node.device = ""
        if node.op not in base_ops:
            nodes.append(node)
            continue
        fused = [s.decode() for s in node.attr["fused_ops"].list.s]
        if not fused or fused[0] != "BiasAdd" or len(node.input) != 3 or any(f not in _ACTIVATIONS for f in fused[1:]):
            raise ValueError(f"unsupported fusion {fused} in {node.name}")
        core = node_def_pb2.NodeDef(name=node.name + "/_core", op=base_ops[node.op], input=list(node.input[:2]))
        for key, val in node.attr.items():
            if key not in drop_attrs:
                core.attr[key].CopyFrom(val)
        bias_name = node.name if len(fused) == 1 else node.name + "/_bias"
        bias = node_def_pb2.NodeDef(name=bias_name, op="BiasAdd", input=[core.name, node.input[2]])
        bias.attr["T"].CopyFrom(node.attr["T"])
        if "data_format" in node.attr and node.op != "_FusedMatMul":
            bias.attr["data_format"].CopyFrom(node.attr["data_format"])
        nodes += [core, bias]
        if len(fused) == 2:
            act = node_def_pb2.NodeDef(name=node.name, op=fused[1], input=[bias_name])
            act.attr["T"].CopyFrom(node.attr["T"])
            nodes.append(act)
    del graph_def.node[:]
    graph_def.node.extend(nodes)
    return graph_def


def load_tfjs(path: Path):  # noqa: ANN201
    """TF.js graph model (``model.json`` + ``.bin``) → standard ``GraphDef`` with the weights as Const values."""
    import tensorflow as tf
    from google.protobuf import json_format

    model_json = json.loads(path.read_text())
    weights = _read_weights(model_json, path.parent)
    graph_def = tf.compat.v1.GraphDef()
    json_format.ParseDict(model_json["modelTopology"], graph_def, ignore_unknown_fields=True)
    for node in graph_def.node:
        if node.op == "Const" and node.name in weights:
            value = weights.pop(node.name)
            node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(value))
            node.attr["dtype"].type = tf.as_dtype(value.dtype).as_datatype_enum
    if weights:
        raise ValueError(f"weights without a Const node: {sorted(weights)[:5]}")
    return _split_fused(graph_def)


_GENERATED = re.compile(r"__\d+")


def canonicalise(model):  # noqa: ANN001, ANN201 - onnx.ModelProto
    """Renumber tf2onnx's generated names (``foo__1234``) by first use, and sort initializers by name.

    tf2onnx numbers them from process-wide counters and walks unordered collections while folding
    constants, so the same model came out with different bytes run to run. After this pass a rebuild is
    byte-identical and its sha256 stable. Subgraphs (Loop/If bodies) share the mapping, since they refer
    to outer tensors by name; the graph's own input and output names are kept.
    """
    from onnx import AttributeProto

    g = model.graph
    mapping = {v.name: v.name for v in list(g.input) + list(g.output)}

    def m(name: str) -> str:
        if name not in mapping:
            mapping[name] = _GENERATED.sub("", name) + f"__c{len(mapping)}" if _GENERATED.search(name) else name
        return mapping[name]

    def walk(graph) -> None:  # noqa: ANN001
        for v in list(graph.input) + list(graph.output):
            v.name = m(v.name)
        for node in graph.node:
            node.input[:] = [m(x) if x else x for x in node.input]
            node.output[:] = [m(x) for x in node.output]
            node.name = m(node.name)
            for attr in node.attribute:
                if attr.type == AttributeProto.GRAPH:
                    walk(attr.g)
                elif attr.type == AttributeProto.GRAPHS:
                    for sub in attr.graphs:
                        walk(sub)
        for init in graph.initializer:
            init.name = m(init.name)
        for vi in graph.value_info:
            vi.name = m(vi.name)
        inits = sorted(graph.initializer, key=lambda t: t.name)
        del graph.initializer[:]
        graph.initializer.extend(inits)
        infos = sorted(graph.value_info, key=lambda t: t.name)
        del graph.value_info[:]
        graph.value_info.extend(infos)

    walk(g)
    return model


def load_graphdef(path: Path):  # noqa: ANN201
    import tensorflow as tf

    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(path.read_bytes())
    return graph_def


def _test_input(spec: dict) -> np.ndarray:
    """A fixed, smooth test picture (not noise: noise gives flat scores, and top-k ties that reorder boxes)."""
    shape = [1 if s < 0 else s for s in spec["inputs"][0]["shape"]]
    h, w, c = shape[1], shape[2], shape[3]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    chans = [np.sin(xx / (7 + 5 * k)) * np.cos(yy / (11 + 3 * k)) for k in range(c)]
    unit = (np.stack(chans, axis=-1) + 1) / 2
    unit[h // 4 : h // 2, w // 3 : w // 2] = 0.9  # a flat block with edges
    lo, hi = spec["test_range"]
    x = (lo + unit * (hi - lo))[None].repeat(shape[0], axis=0)
    return x.astype(_NP_DTYPES[spec["inputs"][0]["dtype"]])


def _run_tf(graph_def, feed: dict[str, np.ndarray], outputs: list[str]) -> list[np.ndarray]:  # noqa: ANN001
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    with tf.compat.v1.Session(graph=graph) as sess:
        return sess.run(outputs, feed_dict=feed)


def convert_one(name: str, src: Path, out_dir: Path) -> dict:
    """Convert one model, check it against TensorFlow, write ``<name>.onnx`` + ``<name>.info.json``."""
    import onnx
    import onnxruntime as ort
    import tf2onnx

    spec = MODELS[name]
    t0 = time.time()
    path = src / spec["source_file"]
    graph_def = load_tfjs(path) if spec["kind"] == "tfjs" else load_graphdef(path)
    inputs = [i["name"] for i in spec["inputs"]]
    outputs = [o["name"] for o in spec["outputs"]]
    model_proto, _ = tf2onnx.convert.from_graph_def(
        graph_def, input_names=inputs, output_names=outputs, opset=ONNX_OPSET
    )
    model_proto = canonicalise(model_proto)
    model_proto.producer_name = "anfang models build"
    onnx.checker.check_model(model_proto)
    out = out_dir / f"{name}.onnx"
    tmp = out.with_suffix(".onnx.tmp")
    tmp.write_bytes(model_proto.SerializeToString())
    _log(f"{name}: converted in {time.time() - t0:.1f}s, {tmp.stat().st_size / 1e6:.1f} MB; checking vs TensorFlow")

    x = _test_input(spec)
    ref = _run_tf(graph_def, {inputs[0]: x}, outputs)
    sess = ort.InferenceSession(str(tmp), providers=["CPUExecutionProvider"])
    got = sess.run(None, {sess.get_inputs()[0].name: x})
    diffs = {
        o: float(np.max(np.abs(np.asarray(r, np.float64) - np.asarray(g, np.float64))))
        for o, r, g in zip(outputs, ref, got, strict=True)
    }
    tmp.replace(out)
    info = {
        "name": name,
        "file": out.name,
        "onnx_inputs": [{"name": i.name, "shape": i.shape, "type": i.type} for i in sess.get_inputs()],
        "onnx_outputs": [{"name": o.name, "shape": o.shape, "type": o.type} for o in sess.get_outputs()],
        "max_abs_diff_vs_tf": diffs,
        "seconds": round(time.time() - t0, 1),
    }
    (out_dir / f"{name}.info.json").write_text(json.dumps(info, indent=1, default=str))
    _log(f"{name}: max abs diff vs TF {max(diffs.values()):.3g} ({time.time() - t0:.1f}s)")
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, required=True, help="folder with the unpacked registry packages")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("models", nargs="+", choices=sorted(MODELS))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in args.models:
        try:
            convert_one(name, args.src, args.out)
        except Exception:  # one broken optional model must not stop the others; the caller decides
            traceback.print_exc()
            _log(f"{name}: FAILED")
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
