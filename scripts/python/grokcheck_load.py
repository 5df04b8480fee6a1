"""Read grokcheck runs from Python (numpy only): records, exported records and checkpoints.

The formats are documented in docs/formats.md; this module reads them as grokcheck writes them and checks what
grokcheck checks (the checkpoint's magic and both SHA-256 sums, the record grid's order), so a damaged file is an
error here too, never silently used.

    import grokcheck_load as gl
    run = gl.load_run("runs/paper/ff99ad68109210b4")          # a run of a store: config, status, records
    run = gl.load_run("fixtures/records/paper/ff99ad68109210b4.jsonl")   # an exported run: the same, no checkpoints
    cols = gl.columns(run["records"])                          # {"step": array, "val_acc": array, ...}
    ckpt = gl.load_checkpoint("runs/paper/ff99ad68109210b4/checkpoints/step-000004100.ckpt", run["config"])
    ckpt["params"]["blocks.0.mlp.W_in"].shape                  # (d_model, d_mlp), as in the model

Command line: python3 grokcheck_load.py PATH [CHECKPOINT.ckpt] prints a summary as JSON.
"""
import hashlib
import json
import math
import os
import struct
import sys

import numpy as np

CHECKPOINT_MAGIC = b"GRKSTATE"
CHECKPOINT_FORMAT = "grokcheck-training-state"
EXPORT_FORMATS = ("grokcheck-run-records/2", "grokcheck-run-records/3", "grokcheck-run-records/4", "grokcheck-run-records/5")
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class GrokcheckFormatError(ValueError):
    """A file that is not what grokcheck writes, or that was damaged: the message names the file."""


def _number(value):
    # Records store NaN and +-Infinity as strings (JSON has no such numbers).
    return _NON_FINITE.get(value, value) if isinstance(value, str) else value


def _decode(value):
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return _number(value)


def _read_jsonl(path):
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        raise GrokcheckFormatError(f"{path}: the last line is incomplete (a writer was killed): run the command that trained it again")
    lines = []
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            lines.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise GrokcheckFormatError(f"{path}:{number}: not JSON ({error})") from None
    return lines


def _check_steps(path, records):
    for previous, record in zip(records, records[1:]):
        if not record["step"] > previous["step"]:
            raise GrokcheckFormatError(f"{path}: step {record['step']} does not follow step {previous['step']}")


def load_run(path):
    """A run: a run store folder (config.json, status.json, records.jsonl) or an exported records file (<id>.jsonl).

    Returns {"id", "config", "status", "records": [dict per checkpoint], "measurements", "source"}; non-finite
    values are floats (nan, inf) again.
    """
    if os.path.isdir(path):
        with open(os.path.join(path, "config.json")) as f:
            config = json.load(f)["config"]
        status_file = os.path.join(path, "status.json")
        status = json.load(open(status_file)) if os.path.exists(status_file) else None
        records_file = os.path.join(path, "records.jsonl")
        records = [_decode(r) for r in _read_jsonl(records_file)] if os.path.exists(records_file) else []
        _check_steps(records_file, records)
        return {"id": os.path.basename(os.path.normpath(path)), "config": config, "status": status, "records": records, "measurements": {}, "source": "run store"}
    lines = _read_jsonl(path)
    if not lines:
        raise GrokcheckFormatError(f"{path}: empty")
    header = lines[0]
    if "rows_sha256" in header:
        # Format /4: the SHA-256 of every line after the header, each with its newline.
        with open(path, "rb") as f:
            body = f.read().split(b"\n", 1)[1]
        if hashlib.sha256(body).hexdigest() != header["rows_sha256"]:
            raise GrokcheckFormatError(f"{path}: the records were changed after export (their SHA-256 is not the header's rows_sha256)")
    if header.get("format") not in EXPORT_FORMATS:
        raise GrokcheckFormatError(f"{path}:1: format {header.get('format')!r} is not one of {EXPORT_FORMATS}")
    columns, alt_keys, alt_fields = header["columns"], header["alt_keys"], header["alt_fields"]
    # The paper's table field (circuit-sync's fsd_alt, per site and inputs); files written before it was named hold fsd_alt.
    table = header.get("table", "fsd_alt")
    records = []
    for number, row in enumerate(lines[1:], start=2):
        if not isinstance(row, list) or len(row) != len(columns) + 1:
            raise GrokcheckFormatError(f"{path}:{number}: expected {len(columns)} values and the {table} list")
        record = {c: _decode(v) for c, v in zip(columns, row[:-1])}
        # Format /5: a field that holds objects of numbers (param_norms) has its keys once, in the header.
        for c, keys in header.get("objects", {}).items():
            if record.get(c) is not None:
                record[c] = {k: _number(v) for k, v in zip(keys, record[c]) if v is not None}
        record[table] = {
            key: {f: _number(v) for f, v in zip(alt_fields, summary) if v is not None}
            for key, summary in zip(alt_keys, row[-1])
            if summary is not None
        }
        records.append(record)
    _check_steps(path, records)
    status = {"state": header["status"], "engine": header["engine"], "wall_s": header["wall_s"], "message": header.get("message")}
    return {"id": header["id"], "config": header["config"], "status": status, "records": records, "measurements": header.get("measurements", header.get("ablation") and {"ablation": header["ablation"]}) or {}, "source": "exported records"}


def columns(records):
    """The records' scalar fields as numpy arrays (float64; None becomes nan), one per field: for plots and pandas."""
    names = [k for k in records[0] if not isinstance(records[0][k], (dict, list))] if records else []
    return {name: np.array([np.nan if r.get(name) is None else r[name] for r in records], dtype=np.float64) for name in names}


def param_shapes(model):
    """Each parameter's name and shape for a model config, in the engines' order (src/model/params.ts paramSpecs).

    The model switches (shared/spec/model.md "Model switches") remove tensors: norm "none" every LayerNorm's,
    attn_bias false b_Q/b_K/b_V/b_O, unembed_bias false b_U; a switch left out has its default.
    """
    d, vocab, classes, d_mlp = model["d_model"], model["vocab"], model["classes"], model["d_mlp"]
    variant = model.get("variant", "standard")
    layernorm = model.get("norm", "layernorm") == "layernorm"
    attn_bias = model.get("attn_bias", True)
    norm = lambda name: [(f"{name}.w", (d,)), (f"{name}.b", (d,))] if layernorm else []
    shapes = [("embed.W_E", (vocab, d)), ("embed.W_pos", (3, d))]
    for layer in range(model["n_layers"]):
        b = f"blocks.{layer}"
        if variant != "mlp_only":
            shapes += norm(f"{b}.ln1")
            for m in "QKVO":
                shapes += [(f"{b}.attn.W_{m}", (d, d))] + ([(f"{b}.attn.b_{m}", (d,))] if attn_bias else [])
        if variant != "attn_only":
            shapes += norm(f"{b}.ln2") + [(f"{b}.mlp.W_in", (d, d_mlp)), (f"{b}.mlp.b_in", (d_mlp,)), (f"{b}.mlp.W_out", (d_mlp, d)), (f"{b}.mlp.b_out", (d,))]
    shapes += norm("ln_f") + [("unembed.W_U", (d, classes))] + ([("unembed.b_U", (classes,))] if model.get("unembed_bias", True) else [])
    return shapes


def load_checkpoint(path, config=None):
    """A checkpoint (.ckpt): {"step", "params", "adam_m", "adam_v", "sidecar"}, each group {name: float32 array}.

    With the run's config (load_run(...)["config"], or config.json's "config"), arrays have the model's shapes;
    without it they are flat. Both checksums are verified.
    """
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 44 or data[:8] != CHECKPOINT_MAGIC:
        raise GrokcheckFormatError(f"{path}: not a grokcheck checkpoint (magic {data[:8]!r})")
    (header_bytes,) = struct.unpack_from("<I", data, 8)
    header_raw = data[44 : 44 + header_bytes]
    if len(header_raw) != header_bytes or hashlib.sha256(header_raw).hexdigest() != data[12:44].hex():
        raise GrokcheckFormatError(f"{path}: the header is cut short or its SHA-256 does not match")
    header = json.loads(header_raw)
    if header.get("format") != CHECKPOINT_FORMAT or header.get("dtype") != "float32" or header.get("byte_order") != "little-endian":
        raise GrokcheckFormatError(f"{path}: unexpected header {header.get('format')}/{header.get('dtype')}/{header.get('byte_order')}")
    payload = data[44 + header_bytes :]
    if len(payload) != header["payload"]["bytes"] or hashlib.sha256(payload).hexdigest() != header["payload"]["sha256"]:
        raise GrokcheckFormatError(f"{path}: the payload is cut short or its SHA-256 does not match")
    shapes = dict(param_shapes(config["model"])) if config is not None else {}
    groups = {"params": {}, "adamM": {}, "adamV": {}}
    for tensor in header["tensors"]:
        values = np.frombuffer(payload, dtype="<f4", count=tensor["length"], offset=tensor["offset"]).copy()
        shape = shapes.get(tensor["name"])
        if shape is not None:
            if int(np.prod(shape)) != values.size:
                raise GrokcheckFormatError(f"{path}: {tensor['name']} holds {values.size} values, the config's shape {shape} needs {int(np.prod(shape))}")
            values = values.reshape(shape)
        groups[tensor["group"]][tensor["name"]] = values
    return {"step": header["step"], "params": groups["params"], "adam_m": groups["adamM"], "adam_v": groups["adamV"], "sidecar": header["sidecar"]}


def _summary(argv):
    run = load_run(argv[0])
    cols = columns(run["records"])
    out = {
        "id": run["id"],
        "source": run["source"],
        "state": (run["status"] or {}).get("state"),
        "records": len(run["records"]),
        "last_step": int(cols["step"][-1]) if run["records"] else None,
        "max_val_acc": float(np.nanmax(cols["val_acc"])) if run["records"] else None,
        "columns": sorted(cols),
    }
    if len(argv) > 1:
        ckpt = load_checkpoint(argv[1], run["config"])
        out["checkpoint"] = {
            "step": ckpt["step"],
            "params": {name: list(values.shape) for name, values in ckpt["params"].items()},
            "param_norm": float(math.sqrt(sum(float(np.sum(v.astype(np.float64) ** 2)) for v in ckpt["params"].values()))),
        }
    return out


if __name__ == "__main__":
    if not 1 <= len(sys.argv) - 1 <= 2:
        sys.exit(__doc__)
    try:
        print(json.dumps(_summary(sys.argv[1:])))
    except (GrokcheckFormatError, OSError) as error:
        sys.exit(f"grokcheck_load: {error}")
