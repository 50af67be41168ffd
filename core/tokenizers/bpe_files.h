#pragma once
// Reading the parts of byte-level BPE files that GPT-2's files and tokenizer.json share.
#include <QJsonObject>
#include <QString>

#include <string>
#include <unordered_map>
#include <utility>

namespace expertscope {

// The largest token id a vocabulary file may give: sixteen times the largest vocabulary in
// use (Gemma's 262,144). Tokenizers keep a table indexed by id, so an id far beyond its
// vocabulary would make a tiny hostile file allocate gigabytes.
constexpr int kMaxTokenId = (1 << 22) - 1;

// token -> id; throws Error (naming `where`) on an id that is not a non-negative integer
// up to kMaxTokenId, or an empty vocabulary.
std::unordered_map<std::string, int> readBpeVocab(const QJsonObject& object, const std::string& where);
// A tokenizer.json model's type: its "type", or for files that leave it out (as Hugging
// Face reads them) "BPE" when it has merges, "WordPiece" when it has max_input_chars_per_word.
QString tokenizerModelType(const QJsonObject& model);
// "a b" -> {a, b}; throws Error otherwise.
std::pair<std::string, std::string> splitBpeMerge(const QString& line, const std::string& where);

}  // namespace expertscope
