// GGUF tokenizer metadata (tokenizer.ggml.*) as a tokenizer: "llama" vocabularies become a
// sentencepiece BPE model (pieces, scores and types, as llama.cpp and sentencepiece read
// them), "gpt2" ones a byte-level BPE split by the pattern tokenizer.ggml.pre names, "bert"
// ones WordPiece.
#include "core/base/error.h"
#include "core/base/gguf.h"
#include "core/tokenizers/bpe_files.h"
#include "core/tokenizers/bpe_tokenizer.h"
#include "core/tokenizers/tokenizer.h"
#include "core/tokenizers/wordpiece_tokenizer.h"

#include <QString>

#include <cstring>
#include <map>

namespace expertscope {
namespace {

// The pre-tokenizer patterns, applied in sequence, of the tokenizer.ggml.pre names this
// reader knows (each as the Hugging Face tokenizer it stands for splits text).
const char* const kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* const kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

const std::map<std::string, std::vector<std::string>>& preTokenizers() {
    static const std::map<std::string, std::vector<std::string>> table = {
        {"gpt-2", {kGpt2Pattern}},
        {"llama-bpe", {kLlama3Pattern}},
        {"llama3", {kLlama3Pattern}},
        {"qwen2", {kQwen2Pattern}},
        // Every digit alone, then GPT-2's pattern.
        {"starcoder", {"\\p{N}", kGpt2Pattern}},
        {"refact", {"\\p{N}", kGpt2Pattern}},
        {"command-r", {"\\p{N}", kGpt2Pattern}},
        {"smollm", {"\\p{N}", kGpt2Pattern}},
        {"deepseek-llm", {
        R"x([\r\n])x",
        R"x(\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+)x",
        R"x(\s?[!-/:-~！-／：-～‘-‟　-。]+)x",
        R"x(\s+$)x",
        R"x([一-龥ࠀ-一가-퟿]+)x",
        R"x(\p{N}+)x",
        }},
    };
    return table;
}

// Protocol buffer wire format, for the few ModelProto fields a sentencepiece BPE needs.
struct Proto {
    std::string bytes;
    void varint(uint64_t v) {
        while (v >= 0x80) {
            bytes += static_cast<char>((v & 0x7F) | 0x80);
            v >>= 7;
        }
        bytes += static_cast<char>(v);
    }
    void key(int field, int wire) { varint(static_cast<uint64_t>(field) << 3 | static_cast<uint64_t>(wire)); }
    void integer(int field, int64_t v) {
        key(field, 0);
        varint(static_cast<uint64_t>(v));  // negative int32s take ten bytes, as protobuf writes them
    }
    void text(int field, const std::string& s) {
        key(field, 2);
        varint(s.size());
        bytes += s;
    }
    void number(int field, float f) {
        key(field, 5);
        char raw[4];
        std::memcpy(raw, &f, 4);
        bytes.append(raw, 4);
    }
};

int64_t optionalId(const GgufFile& f, const char* key) { return f.contains(key) ? f.integer(key) : -1; }

std::unique_ptr<Tokenizer> sentencePieceVocabulary(const GgufFile& f, bool addBos) {
    const auto tokens = f.strings("tokenizer.ggml.tokens");
    const auto scores = f.floats("tokenizer.ggml.scores");
    const auto types = f.integers("tokenizer.ggml.token_type");
    if (scores.size() != tokens.size() || types.size() != tokens.size())
        throw Error(f.path() + ": tokenizer.ggml.tokens, .scores and .token_type differ in length (" + std::to_string(tokens.size()) +
                    ", " + std::to_string(scores.size()) + ", " + std::to_string(types.size()) + ")");
    Proto model;
    bool bytePieces = false;
    const int64_t unk = std::max<int64_t>(0, optionalId(f, "tokenizer.ggml.unknown_token_id"));
    for (size_t i = 0; i < tokens.size(); ++i) {
        if (types[i] < 1 || types[i] > 6)
            throw Error(f.path() + ": tokenizer.ggml.token_type[" + std::to_string(i) + "] is " + std::to_string(types[i]) +
                        " (1 normal .. 6 byte)");
        bytePieces = bytePieces || types[i] == 6;
        // The same numbering as sentencepiece's piece types. sentencepiece has one unknown
        // piece, the one unknown_token_id names (Phi-3 marks it control); the others marked
        // unknown (Phi-3's padding) are never produced: unused.
        const int64_t type = static_cast<int64_t>(i) == unk ? 2 : types[i] == 2 ? 5 : types[i];
        Proto piece;
        piece.text(1, tokens[i]);
        piece.number(2, scores[i]);
        piece.integer(3, type);
        model.text(1, piece.bytes);
    }
    Proto trainer;
    trainer.integer(3, 2);  // model_type BPE
    trainer.integer(4, static_cast<int64_t>(tokens.size()));
    if (bytePieces) trainer.integer(35, 1);  // byte_fallback
    trainer.integer(40, unk);
    trainer.integer(41, optionalId(f, "tokenizer.ggml.bos_token_id"));
    trainer.integer(42, optionalId(f, "tokenizer.ggml.eos_token_id"));
    trainer.integer(43, -1);  // padding is not the tokenizer's business (Phi-3 pads with its EOS)
    model.text(2, trainer.bytes);
    Proto normalizer;  // Llama's: no normalisation, a space before the text, spaces as U+2581
    normalizer.text(1, "identity");
    normalizer.integer(3, f.contains("tokenizer.ggml.add_space_prefix") ? f.boolean("tokenizer.ggml.add_space_prefix") : 1);
    normalizer.integer(4, 0);
    normalizer.integer(5, 1);
    model.text(3, normalizer.bytes);
    return sentencePieceFromProto(model.bytes, f.path(), addBos);
}

std::unique_ptr<Tokenizer> byteLevelVocabulary(const GgufFile& f, const std::string& pre, bool addBos) {
    const auto patterns = preTokenizers().find(pre);
    if (patterns == preTokenizers().end()) {
        std::string known;
        for (const auto& [name, list] : preTokenizers()) known += (known.empty() ? "" : ", ") + name;
        throw Error(f.path() + ": tokenizer.ggml.pre '" + pre + "' is not implemented (known: " + known + ")");
    }
    ByteLevelBpeSpec spec;
    spec.source = f.path();
    spec.patterns = patterns->second;
    const auto tokens = f.strings("tokenizer.ggml.tokens");
    const auto types = f.contains("tokenizer.ggml.token_type") ? f.integers("tokenizer.ggml.token_type") : std::vector<int64_t>{};
    if (!types.empty() && types.size() != tokens.size())
        throw Error(f.path() + ": tokenizer.ggml.token_type has " + std::to_string(types.size()) + " entries for " +
                    std::to_string(tokens.size()) + " tokens");
    for (size_t i = 0; i < tokens.size(); ++i) {
        const int id = static_cast<int>(i);
        // Control tokens are special: text unless asked for, written out when decoded.
        if (!types.empty() && types[i] == 3) spec.added.push_back({tokens[i], id, true});
        else if (!spec.vocab.emplace(tokens[i], id).second)
            throw Error(f.path() + ": token '" + tokens[i] + "' appears twice in tokenizer.ggml.tokens");
    }
    const auto merges = f.strings("tokenizer.ggml.merges");
    spec.merges.reserve(merges.size());
    for (size_t i = 0; i < merges.size(); ++i)
        spec.merges.push_back(splitBpeMerge(QString::fromStdString(merges[i]), f.path() + ": tokenizer.ggml.merges[" + std::to_string(i) + "]"));
    spec.bos = static_cast<int>(optionalId(f, "tokenizer.ggml.bos_token_id"));
    spec.eos = static_cast<int>(optionalId(f, "tokenizer.ggml.eos_token_id"));
    spec.addBos = addBos && spec.bos >= 0;
    return std::make_unique<ByteLevelBpe>(std::move(spec));
}

// llama.cpp stores WordPiece pieces converted: a word start as "\u2581the", a
// continuation without its "##", bracketed specials ([PAD], [unused0]) as they are.
std::unique_ptr<Tokenizer> wordPieceVocabulary(const GgufFile& f) {
    WordPieceSpec spec;
    spec.source = f.path();
    const auto tokens = f.strings("tokenizer.ggml.tokens");
    const std::string wordStart = "\xE2\x96\x81";  // U+2581
    for (size_t i = 0; i < tokens.size(); ++i) {
        const std::string& t = tokens[i];
        const bool bracketed = t.size() > 2 && t.front() == '[' && t.back() == ']';
        const std::string piece = bracketed ? t : t.rfind(wordStart, 0) == 0 ? t.substr(wordStart.size()) : "##" + t;
        if (!spec.vocab.emplace(piece, static_cast<int>(i)).second)
            throw Error(f.path() + ": tokenizer.ggml.tokens[" + std::to_string(i) + "] ('" + t + "') repeats a piece");
    }
    spec.unk = static_cast<int>(optionalId(f, "tokenizer.ggml.unknown_token_id"));
    spec.cls = static_cast<int>(optionalId(f, "tokenizer.ggml.cls_token_id"));
    spec.sep = static_cast<int>(optionalId(f, "tokenizer.ggml.seperator_token_id"));  // llama.cpp's spelling
    spec.pad = static_cast<int>(optionalId(f, "tokenizer.ggml.padding_token_id"));
    return std::make_unique<WordPieceTokenizer>(std::move(spec));  // uncased, as llama.cpp reads these files
}

}  // namespace

std::unique_ptr<Tokenizer> loadGgufTokenizer(const std::string& path) {
    const GgufFile f(path);
    if (!f.contains("tokenizer.ggml.model")) throw Error(path + ": no tokenizer.ggml.model: the file holds no tokenizer");
    const std::string model = f.string("tokenizer.ggml.model");
    const std::string pre = f.contains("tokenizer.ggml.pre") ? f.string("tokenizer.ggml.pre") : "default";
    // llama.cpp's defaults where the file does not say: BOS for sentencepiece vocabularies
    // and always for Llama 3's.
    const bool addBos = pre == "llama-bpe" || (f.contains("tokenizer.ggml.add_bos_token") ? f.boolean("tokenizer.ggml.add_bos_token")
                                                                                           : model == "llama");
    if (model == "llama") return sentencePieceVocabulary(f, addBos);
    if (model == "gpt2") return byteLevelVocabulary(f, pre == "default" ? "gpt-2" : pre, addBos);
    if (model == "bert") return wordPieceVocabulary(f);
    throw Error(path + ": tokenizer.ggml.model '" + model + "' is not implemented (llama, gpt2, bert)");
}

}  // namespace expertscope
