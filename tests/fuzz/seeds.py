#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, in the shape each target reads (see the comment at the
top of each fuzz_*.cpp).

  seeds.py shared SHARED_DIR CORPUS_DIR   small seeds derived from ../shared's real files,
                                          into CORPUS_DIR/<target>/ (packaging/fuzz.sh)
  seeds.py kept INPUTS_DIR                the hand-made binary seeds kept in tests/fuzz/inputs

Real files over a few hundred KB are cut down to what keeps them valid (the first tokens of a
vocabulary and the merges among them, the first lines of a vocab.txt, a llama2.c header):
the fuzzer mutates small inputs far faster, and the structure is what it needs.
"""
import json
import os
import struct
import sys

MAX_SEED = 1 << 20  # bytes; larger real files are cut down or left out


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) <= MAX_SEED:
        with open(path, "wb") as f:
            f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# --- safetensors --------------------------------------------------------------------------

def safetensors(tensors, metadata=None):
    """tensors: [(name, dtype, shape, bytes)] in order."""
    header, offset = {}, 0
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(t[3] for t in tensors)


def safetensors_header(path):
    data = read(path)
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8:8 + n])


# --- GGUF ---------------------------------------------------------------------------------

U8, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 = range(13)
SCALAR = {U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i", F32: "<f", BOOL: "<B",
          U64: "<Q", I64: "<q", F64: "<d"}


class Gguf:
    """Reads and writes GGUF v3 metadata and tensor infos (the data section as raw bytes)."""

    def __init__(self):
        self.kv = []        # [(key, type, value)]; arrays: (ARRAY, (element type, [values]))
        self.tensors = []   # [(name, dims, ggml type, bytes)]

    @staticmethod
    def parse(data):
        g, pos = Gguf(), 0

        def take(fmt):
            nonlocal pos
            v = struct.unpack_from(fmt, data, pos)
            pos += struct.calcsize(fmt)
            return v[0]

        def string():
            nonlocal pos
            n = take("<Q")
            s = data[pos:pos + n]
            pos += n
            return s

        def value(t):
            if t == STRING:
                return string()
            if t == ARRAY:
                et, count = take("<I"), take("<Q")
                return (et, [value(et) for _ in range(count)])
            return take(SCALAR[t])

        assert data[:4] == b"GGUF"
        pos = 4
        take("<I")
        n_tensors, n_kv = take("<Q"), take("<Q")
        for _ in range(n_kv):
            key = string().decode()
            t = take("<I")
            g.kv.append((key, t, value(t)))
        infos = []
        for _ in range(n_tensors):
            name = string().decode()
            dims = [take("<Q") for _ in range(take("<I"))]
            infos.append((name, dims, take("<I"), take("<Q")))
        align = dict((k, v) for k, _, v in g.kv).get("general.alignment", 32)
        start = (pos + align - 1) // align * align
        offsets = sorted(o for *_, o in infos) + [len(data) - start]
        for name, dims, t, off in infos:  # each tensor's bytes: up to the next one's
            end = min(o for o in offsets if o > off) if any(o > off for o in offsets) else off
            g.tensors.append((name, dims, t, data[start + off:start + end]))
        return g

    def get(self, key):
        for k, t, v in self.kv:
            if k == key:
                return v
        return None

    def set(self, key, t, v):
        self.kv = [(k, tt, vv) if k != key else (k, t, v) for k, tt, vv in self.kv]

    def bytes(self):
        out = [b"GGUF", struct.pack("<IQQ", 3, len(self.tensors), len(self.kv))]

        def string(s):
            s = s.encode() if isinstance(s, str) else s
            return struct.pack("<Q", len(s)) + s

        def value(t, v):
            if t == STRING:
                return string(v)
            if t == ARRAY:
                et, items = v
                return struct.pack("<IQ", et, len(items)) + b"".join(value(et, x) for x in items)
            return struct.pack(SCALAR[t], v)

        for k, t, v in self.kv:
            out.append(string(k) + struct.pack("<I", t) + value(t, v))
        offset, data = 0, b""
        for name, dims, t, raw in self.tensors:
            out.append(string(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims) +
                       struct.pack("<IQ", t, offset))
            pad = -len(raw) % 32
            data += raw + b"\0" * pad
            offset += len(raw) + pad
        head = b"".join(out)
        return head + b"\0" * (-len(head) % 32) + data


def cut_gguf_vocabulary(g, keep):
    """The first `keep` tokens of a tokenizer-only GGUF, with the merges among them."""
    tokens = g.get("tokenizer.ggml.tokens")
    if tokens is None:
        return g
    kept = tokens[1][:keep]
    g.set("tokenizer.ggml.tokens", ARRAY, (STRING, kept))
    for key in ("tokenizer.ggml.scores", "tokenizer.ggml.token_type"):
        v = g.get(key)
        if v is not None:
            g.set(key, ARRAY, (v[0], v[1][:keep]))
    merges = g.get("tokenizer.ggml.merges")
    if merges is not None:
        present = set(kept)
        g.set("tokenizer.ggml.merges", ARRAY,
              (STRING, [m for m in merges[1] if b" " in m and m.replace(b" ", b"", 1) in present][:2000]))
    return g


# --- byte-level BPE -----------------------------------------------------------------------

def cut_bpe(vocab, merges, keep):
    """The tokens with ids below `keep` (and every special token), and the merges among them."""
    kept = {t: i for t, i in vocab.items() if i < keep or t.startswith("<|")}
    out = []
    for m in merges:
        a, b = m.split(" ", 1) if isinstance(m, str) else m
        if a in kept and b in kept and a + b in kept:
            out.append(m)
    return kept, out


# --- sentencepiece ModelProto (the fields a BPE model needs) ------------------------------

def varint(v):
    out = b""
    while v >= 0x80:
        out += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return out + bytes([v])


def field(number, wire, payload):
    key = varint(number << 3 | wire)
    if wire == 2:
        return key + varint(len(payload)) + payload
    return key + payload


def sentencepiece_bpe(pieces):
    """pieces: [(text, score, type)] with sentencepiece's types (1 normal, 2 unknown, 3 control, 6 byte)."""
    model = b""
    for text, score, kind in pieces:
        model += field(1, 2, field(1, 2, text.encode()) + field(2, 5, struct.pack("<f", score)) + field(3, 0, varint(kind)))
    trainer = field(3, 0, varint(2)) + field(4, 0, varint(len(pieces))) + field(35, 0, varint(1))
    trainer += field(40, 0, varint(0)) + field(41, 0, varint(1)) + field(42, 0, varint(2))
    model += field(2, 2, trainer)
    model += field(3, 2, field(1, 2, b"identity") + field(3, 0, varint(1)) + field(4, 0, varint(0)) + field(5, 0, varint(1)))
    return model


# --- the two modes ------------------------------------------------------------------------

def from_shared(shared, corpus):
    def s(*parts):
        return os.path.join(shared, *parts)

    def out(target, name, data):
        write(os.path.join(corpus, target, "from-shared-" + name), data)

    for path in sorted(os.listdir(s("models"))):
        config = s("models", path, "config.json")
        if os.path.exists(config):
            out("fuzz_model_config", path + "-config.json", read(config))
    # Checkpoints with biases, tied and untied heads, and golden files with __metadata__.
    for path in ("bert-tiny-random/model.safetensors", "qwen2-tiny-random/model.safetensors",
                 "bert-tiny-random/golden/activations.safetensors", "gemma3-tiny-random/golden/activations.safetensors"):
        out("fuzz_safetensors", path.replace("/", "-"), read(s("models", path)))
    out("fuzz_sentencepiece", "tok512.model", read(s("models", "stories260K", "tok512.model")))

    # An index over a real model's tensors, split between the target's two shards.
    names = sorted(k for k in safetensors_header(s("models", "stories260K-hf", "model.safetensors")) if k != "__metadata__")
    out("fuzz_safetensors_index", "stories260K-hf.index.json", json.dumps({
        "metadata": {"total_size": 1044984},
        "weight_map": {n: "model-0000%d-of-00002.safetensors" % (1 + i % 2) for i, n in enumerate(names)}}, indent=2))

    # llama2.c: the real header (the weights cut off) and the whole tiny checkpoint's head.
    out("fuzz_llama2c_header", "stories260K-head.bin", read(s("models", "stories260K", "stories260K.bin"))[:4096])

    out("fuzz_sentencepiece", "llama2-tokenizer.model", read(s("tokenizers", "llama2", "tokenizer.model")))

    # GPT-2's files, cut to the first 1000 tokens and the merges among them.
    vocab = json.loads(read(s("tokenizers", "gpt2", "encoder.json")))
    merges = read(s("tokenizers", "gpt2", "vocab.bpe")).decode().split("\n")
    header, merges = merges[0], [m for m in merges[1:] if m]
    kept, kept_merges = cut_bpe(vocab, merges, 1000)
    out("fuzz_bpe_files", "gpt2-1000.bin", json.dumps(kept, ensure_ascii=False) + "\0" + header + "\n" + "\n".join(kept_merges) + "\n")

    # tokenizer.json files: BERT's whole, Llama 3's and Qwen2's cut to 1000 tokens.
    out("fuzz_tokenizer_json", "bert-base-uncased.json", read(s("tokenizers", "bert-base-uncased", "tokenizer.json")))
    for name in ("llama3", "qwen2"):
        t = json.loads(read(s("tokenizers", name, "tokenizer.json")))
        t["model"]["vocab"], t["model"]["merges"] = cut_bpe(t["model"]["vocab"], t["model"]["merges"], 1000)
        out("fuzz_tokenizer_json", name + "-1000.json", json.dumps(t, ensure_ascii=False))

    # vocab.txt: BERT's first 3000 pieces, with its tokenizer_config.json after the NUL.
    lines = read(s("tokenizers", "bert-base-uncased", "vocab.txt")).split(b"\n")[:3000]
    out("fuzz_vocab_txt", "bert-3000.bin", b"\n".join(lines) + b"\n\0" + read(s("tokenizers", "bert-base-uncased", "tokenizer_config.json")))

    # GGUF tokenizer files, cut to 1000 tokens.
    for f in sorted(os.listdir(s("tokenizers", "gguf-vocab"))):
        if f.endswith(".gguf"):
            g = cut_gguf_vocabulary(Gguf.parse(read(s("tokenizers", "gguf-vocab", f))), 1000)
            out("fuzz_gguf", f.replace(".gguf", "-1000.gguf"), g.bytes())

    # Concepts: ml-selfcond's files as the target's folder (list "g,c" + NUL + the JSON), and
    # the small concept's sentences as a table and as text.
    for d in ("onesec-small", "onesec"):
        js = read(s("concepts", d, "sense", "football-1_04_00__.json"))
        out("fuzz_concepts", d + "-selfcond.bin", b"\x03group,concept\ng,c\n\0" + js)
    c = json.loads(read(s("concepts", "onesec-small", "sense", "football-1_04_00__.json")))
    pos, neg = c["sentences"]["positive"], c["sentences"]["negative"]
    rows = ["label,sentence"] + ["1," + x for x in pos] + ['0,"' + x.replace('"', '""') + '"' for x in neg]
    out("fuzz_concepts", "onesec-small-table.bin", "\x00" + "\n".join(rows) + "\n")
    out("fuzz_concepts", "onesec-small-tsv.bin", "\x01" + "\n".join(["positive\t" + x for x in pos] + ["negative\t" + x for x in neg]))
    out("fuzz_concepts", "onesec-small-text.bin", "\x02" + "\n".join(pos) + "\n\0" + "\n".join(neg) + "\n")


def kept(inputs):
    def out(target, name, data):
        write(os.path.join(inputs, target, name), data)

    f32 = struct.pack("<4f", 1.0, -2.0, 0.5, 3.25)
    out("fuzz_safetensors", "seed-dtypes.safetensors", safetensors([
        ("a", "F32", [2, 2], f32), ("b", "BF16", [3], b"\x80\x3f\x00\x40\xc0\x7f"), ("c", "F16", [1, 2], b"\x00\x3c\x01\x00"),
        ("d", "I64", [1], struct.pack("<q", -7)), ("e", "U8", [0, 5], b""), ("f", "BOOL", [], b"\x01")],
        {"format": "pt", "note": "seed"}))

    # A llama2.c checkpoint of dim 8, hidden 16, 1 layer, 2 heads, 2 kv heads, an untied
    # vocabulary of 272 (the sentencepiece seed's) and 4 positions: the header and exactly
    # the weights it describes.
    dim, hidden, layers, heads, kv, vocab, seq = 8, 16, 1, 2, 2, 272, 4
    head_dim = dim // heads
    floats = vocab * dim + layers * (dim + dim * dim + 2 * dim * kv * head_dim + dim * dim + dim + 3 * dim * hidden) + dim
    floats += seq * head_dim + vocab * dim
    out("fuzz_llama2c_header", "seed-tiny-untied.bin", struct.pack("<7i", dim, hidden, layers, heads, kv, -vocab, seq) + b"\0" * (4 * floats))

    pieces = [("<unk>", 0.0, 2), ("<s>", 0.0, 3), ("</s>", 0.0, 3)] + [("<0x%02X>" % b, 0.0, 6) for b in range(256)]
    pieces += [(p, -float(i), 1) for i, p in enumerate(["\u2581", "t", "h", "e", "a", "c", "\u2581t", "he", "\u2581the", "\u2581c", "at", "\u2581cat"])]
    out("fuzz_sentencepiece", "seed-bpe-bytes.model", sentencepiece_bpe(pieces))

    g = Gguf()
    toks = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)] + ["\u2581the", "\u2581cat", "\u2581", "a"]
    g.kv = [("general.architecture", STRING, "llama"), ("general.alignment", U32, 32), ("llama.block_count", U32, 1),
            ("tokenizer.ggml.model", STRING, "llama"), ("tokenizer.ggml.tokens", ARRAY, (STRING, toks)),
            ("tokenizer.ggml.scores", ARRAY, (F32, [0.0] * 259 + [-1.0, -2.0, -3.0, -4.0])),
            ("tokenizer.ggml.token_type", ARRAY, (I32, [2, 3, 3] + [6] * 256 + [1] * 4)),
            ("tokenizer.ggml.bos_token_id", U32, 1), ("tokenizer.ggml.eos_token_id", U32, 2),
            ("tokenizer.ggml.add_bos_token", BOOL, 1), ("general.flags", ARRAY, (BOOL, [0, 1])),
            ("general.sizes", ARRAY, (U64, [1, 2])), ("general.ratio", F64, 0.5)]
    q8 = struct.pack("<e", 0.25) + bytes(range(32))
    g.tensors = [("token_embd.weight", [4, 2], 0, struct.pack("<8f", *range(8))), ("output.weight", [32, 1], 8, q8),
                 ("norm.weight", [4], 1, struct.pack("<4e", 1, 2, 3, 4))]
    out("fuzz_gguf", "seed-llama-vocab.gguf", g.bytes())
    g = Gguf()
    byte_tokens = [chr(c) for c in range(33, 127)]
    g.kv = [("general.architecture", STRING, "qwen2"), ("tokenizer.ggml.model", STRING, "gpt2"), ("tokenizer.ggml.pre", STRING, "qwen2"),
            ("tokenizer.ggml.tokens", ARRAY, (STRING, byte_tokens + ["\u0120", "\u0120t", "he", "<|endoftext|>"])),
            ("tokenizer.ggml.token_type", ARRAY, (I32, [1] * 97 + [3])),
            ("tokenizer.ggml.merges", ARRAY, (STRING, ["\u0120 t", "h e"])), ("tokenizer.ggml.eos_token_id", U32, 97)]
    out("fuzz_gguf", "seed-gpt2-vocab.gguf", g.bytes())


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "shared":
        from_shared(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "kept":
        kept(sys.argv[2])
    else:
        sys.exit(__doc__)
