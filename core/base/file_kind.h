#pragma once
// What a path holds, by the very rules the loaders open it with, so a front end that is
// handed a path (dropped, typed, recent) sends it where it belongs without rules of its own.
#include <string>

namespace expertscope {

enum class ModelFormat { None, HuggingFaceFolder, Llama2c, Gguf };  // a folder with config.json; a .bin; a .gguf
ModelFormat modelFormat(const std::string& path);

// An ml-selfcond folder (with concept_list.csv), a .csv/.tsv table, a .txt of positives.
enum class ConceptFormat { None, SelfcondFolder, Table, TextFiles };
ConceptFormat conceptFormat(const std::string& path);

enum class FileKind { Unknown, Project, Model, Concepts };
struct FileKindGuess {
    FileKind kind = FileKind::Unknown;
    std::string path;  // what to open: concept_list.csv stands for its folder
};
FileKindGuess fileKind(const std::string& path);

}  // namespace expertscope
