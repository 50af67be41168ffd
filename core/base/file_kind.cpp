#include "core/base/file_kind.h"

#include <QDir>
#include <QFileInfo>

namespace expertscope {

ModelFormat modelFormat(const std::string& path) {
    const QFileInfo fi(QString::fromStdString(path));
    if (fi.isDir()) return QFileInfo::exists(QDir(fi.absoluteFilePath()).filePath("config.json")) ? ModelFormat::HuggingFaceFolder : ModelFormat::None;
    if (fi.isFile() && fi.suffix().toLower() == "gguf") return ModelFormat::Gguf;
    return fi.isFile() && fi.suffix() == "bin" ? ModelFormat::Llama2c : ModelFormat::None;
}

ConceptFormat conceptFormat(const std::string& path) {
    const QFileInfo fi(QString::fromStdString(path));
    if (fi.isDir()) return QFileInfo::exists(QDir(fi.absoluteFilePath()).filePath("concept_list.csv")) ? ConceptFormat::SelfcondFolder : ConceptFormat::None;
    if (!fi.isFile()) return ConceptFormat::None;
    const QString suffix = fi.suffix().toLower();
    if (suffix == "csv" || suffix == "tsv") return ConceptFormat::Table;
    if (suffix == "txt") return ConceptFormat::TextFiles;
    return ConceptFormat::None;
}

FileKindGuess fileKind(const std::string& path) {
    const QFileInfo fi(QString::fromStdString(path));
    if (fi.isFile() && fi.suffix() == "esproj") return {FileKind::Project, path};
    if (fi.isFile() && fi.fileName() == "concept_list.csv") return {FileKind::Concepts, fi.absolutePath().toStdString()};
    if (modelFormat(path) != ModelFormat::None) return {FileKind::Model, path};
    if (conceptFormat(path) != ConceptFormat::None) return {FileKind::Concepts, path};
    return {FileKind::Unknown, path};
}

}  // namespace expertscope
