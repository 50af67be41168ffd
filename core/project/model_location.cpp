#include "core/project/model_location.h"

#include "core/base/error.h"
#include "core/project/project_store.h"

#include <QDir>
#include <QFileInfo>

namespace expertscope {

namespace {

bool exists(const std::string& path) { return QFileInfo::exists(QString::fromStdString(path)); }

// A tokenizer that lay in the model's folder (or beside its file) moved with it.
std::string movedTokenizer(const ModelSource& stored, const QString& model) {
    const QString tokenizer = QString::fromStdString(stored.tokenizerPath), oldModel = QString::fromStdString(stored.path);
    if (tokenizer.isEmpty() || QFileInfo::exists(tokenizer)) return stored.tokenizerPath;
    const QString oldFolder = tokenizer.startsWith(oldModel + "/") ? oldModel : QFileInfo(oldModel).absolutePath();
    const QString newFolder = tokenizer.startsWith(oldModel + "/") ? model : QFileInfo(model).absolutePath();
    if (!tokenizer.startsWith(oldFolder + "/")) return {};  // elsewhere: looked for beside the model
    return QDir(newFolder).filePath(tokenizer.mid(oldFolder.size() + 1)).toStdString();
}

}  // namespace

ModelWhereabouts findStoredModel(const ProjectStore& store, int64_t modelId) {
    ModelWhereabouts w;
    w.source = store.modelSource(modelId);
    w.storedPath = w.source.path;
    // The Hugging Face cache is the loader's to search; an hf: name is no file path.
    if (w.source.path.rfind("hf:", 0) == 0 || exists(w.source.path)) {
        w.found = true;
    } else if (const std::string relative = store.modelRelativePath(modelId); !relative.empty()) {
        // From the folder resolved through links, as the relative path was made.
        const QFileInfo project(QString::fromStdString(store.path()));
        const QString folder = QFileInfo(project.absolutePath()).canonicalFilePath();
        const QString beside = QDir::cleanPath(QDir(folder.isEmpty() ? project.absolutePath() : folder).filePath(QString::fromStdString(relative)));
        if (QFileInfo::exists(beside)) {
            w.source.tokenizerPath = movedTokenizer(w.source, beside);
            w.source.path = beside.toStdString();
            w.found = true;
        }
    }
    // A tokenizer that is gone is looked for beside the model instead.
    if (w.found && !w.source.tokenizerPath.empty() && !exists(w.source.tokenizerPath)) w.source.tokenizerPath.clear();
    return w;
}

ModelSource storedModelSource(const ProjectStore& store, int64_t modelId) {
    const auto w = findStoredModel(store, modelId);
    if (!w.found)
        throw Error("the project's model is no longer at " + w.storedPath +
                    " (moved or deleted?); name its files with --model, or open the project in Expertscope to locate them");
    return w.source;
}

}  // namespace expertscope
