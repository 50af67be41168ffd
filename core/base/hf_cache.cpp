#include "core/base/hf_cache.h"

#include "core/base/error.h"
#include "core/base/json_file.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <map>

namespace expertscope {
namespace {

std::string env(const char* name) {
    const QByteArray v = qgetenv(name);
    return v.isEmpty() ? std::string() : v.toStdString();
}

// Python's expanduser on a leading "~".
std::string expandHome(const std::string& path) {
    if (path == "~" || path.rfind("~/", 0) == 0) return QDir::homePath().toStdString() + path.substr(1);
    return path;
}

std::string repoDirName(const std::string& repo) {
    std::string out = "models--";
    for (char c : repo) out += c == '/' ? std::string("--") : std::string(1, c);
    return out;
}

std::string repoOfDirName(const std::string& name) {
    std::string rest = name.substr(std::string("models--").size()), out;
    for (size_t i = 0; i < rest.size(); ++i) {
        if (rest.compare(i, 2, "--") == 0) {
            out += '/';
            ++i;
        } else {
            out += rest[i];
        }
    }
    return out;
}

std::string readRef(const QString& file) {
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll().trimmed().toStdString();
}

// ref name -> commit, for every file under refs/ ("main", "pr/1", ...).
std::map<std::string, std::string> readRefs(const QDir& repoDir) {
    std::map<std::string, std::string> refs;
    const QString root = repoDir.filePath("refs");
    for (QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories); it.hasNext();) {
        const QString file = it.next();
        refs[QDir(root).relativeFilePath(file).toStdString()] = readRef(file);
    }
    return refs;
}

void scanSnapshot(CachedModel& m) {
    const QDir dir(QString::fromStdString(m.path));
    // System: dangling links too, which are what a missing blob looks like.
    for (QDirIterator it(dir.path(), QDir::Files | QDir::System | QDir::Hidden, QDirIterator::Subdirectories); it.hasNext();) {
        const QFileInfo fi(it.next());
        if (fi.isSymLink() && !fi.exists()) m.missingFiles.push_back(dir.relativeFilePath(fi.filePath()).toStdString());
        else if (fi.isFile()) m.bytes += fi.size();
    }
    std::sort(m.missingFiles.begin(), m.missingFiles.end());
    const QString config = dir.filePath("config.json");
    if (QFileInfo(config).isFile()) {
        try {
            m.modelType = JsonFile(config.toStdString()).optionalString("model_type", "");
        } catch (const Error&) {
            m.modelType.clear();  // unreadable: the loaders say why when it is opened
        }
    }
}

}  // namespace

std::string hfHomeDir() {
    if (!env("HF_HOME").empty()) return expandHome(env("HF_HOME"));
    const std::string xdg = env("XDG_CACHE_HOME");
    return (xdg.empty() ? QDir::homePath().toStdString() + "/.cache" : expandHome(xdg)) + "/huggingface";
}

std::string hfHubCacheDir() {
    for (const char* name : {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"})
        if (!env(name).empty()) return expandHome(env(name));
    return hfHomeDir() + "/hub";
}

std::vector<CachedModel> scanHfCache(const std::string& cacheDir) {
    std::vector<CachedModel> out;
    const QDir cache(QString::fromStdString(cacheDir));
    for (const QString& name : cache.entryList({"models--*"}, QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QDir repoDir(cache.filePath(name));
        const auto refs = readRefs(repoDir);
        const QDir snapshots(repoDir.filePath("snapshots"));
        for (const QString& revision : snapshots.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            CachedModel m;
            m.repo = repoOfDirName(name.toStdString());
            m.revision = revision.toStdString();
            m.path = snapshots.filePath(revision).toStdString();
            for (const auto& [ref, commit] : refs)
                if (commit == m.revision) m.refs.push_back(ref);
            scanSnapshot(m);
            out.push_back(std::move(m));
        }
    }
    // By name as people read it (Qwen among the q's, not before every lower-case org).
    std::stable_sort(out.begin(), out.end(), [](const CachedModel& a, const CachedModel& b) {
        return QString::fromStdString(a.repo).compare(QString::fromStdString(b.repo), Qt::CaseInsensitive) < 0;
    });
    return out;
}

bool isHfModelSpec(const std::string& spec) { return spec.rfind("hf:", 0) == 0; }

std::string resolveHfModel(const std::string& spec, const std::string& cacheDir) {
    if (!isHfModelSpec(spec)) throw Error("'" + spec + "' is not a Hugging Face model name (hf:ORG/NAME[@REVISION])");
    const std::string body = spec.substr(3);
    const size_t at = body.find('@');
    const std::string repo = body.substr(0, at), revision = at == std::string::npos ? std::string() : body.substr(at + 1);
    if (repo.empty() || repo.front() == '/' || repo.back() == '/' || std::count(repo.begin(), repo.end(), '/') > 1 ||
        repo.find("..") != std::string::npos || (at != std::string::npos && revision.empty()))
        throw Error("'" + spec + "': expected hf:ORG/NAME or hf:ORG/NAME@REVISION");
    const QDir repoDir(QDir(QString::fromStdString(cacheDir)).filePath(QString::fromStdString(repoDirName(repo))));
    if (!repoDir.exists())
        throw Error(spec + ": not in the Hugging Face cache (" + cacheDir +
                    "); download it first (for example `huggingface-cli download " + repo + "`), or set HF_HUB_CACHE or HF_HOME "
                    "to the cache that holds it");
    const auto refs = readRefs(repoDir);
    const QDir snapshots(repoDir.filePath("snapshots"));
    const QStringList present = snapshots.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    std::string commit;
    if (present.isEmpty() && refs.empty())
        throw Error(spec + ": not in the Hugging Face cache (" + cacheDir + "): its folder holds no snapshot yet (a download "
                    "that did not finish?); download it again");
    if (revision.empty()) {
        if (refs.count("main")) commit = refs.at("main");
        else if (present.size() == 1) commit = present.front().toStdString();
        else throw Error(spec + ": " + std::to_string(present.size()) + " snapshots in the cache and no 'main' ref; name one with @REVISION");
    } else if (refs.count(revision)) {
        commit = refs.at(revision);
    } else {
        std::vector<std::string> matches;
        for (const QString& p : present)
            if (p.toStdString() == revision || (revision.size() >= 7 && p.startsWith(QString::fromStdString(revision))))
                matches.push_back(p.toStdString());
        if (matches.size() != 1) {
            std::string known;
            for (const auto& [ref, c] : refs) known += (known.empty() ? "" : ", ") + ref;
            for (const QString& p : present) known += (known.empty() ? "" : ", ") + p.left(12).toStdString();
            throw Error(spec + ": " + (matches.empty() ? "no revision '" + revision + "'" : "'" + revision + "' matches several revisions") +
                        " in the cache (there: " + (known.empty() ? "none" : known) + ")");
        }
        commit = matches.front();
    }
    CachedModel m;
    m.path = snapshots.filePath(QString::fromStdString(commit)).toStdString();
    if (commit.empty() || !QFileInfo(QString::fromStdString(m.path)).isDir())
        throw Error(spec + ": the cache names revision " + commit + " but holds no snapshot of it (an interrupted download?)");
    scanSnapshot(m);
    if (!m.missingFiles.empty()) {
        std::string files;
        for (const auto& f : m.missingFiles) files += (files.empty() ? "" : ", ") + f;
        throw Error(spec + ": the cached snapshot " + commit.substr(0, 12) + " lacks the contents of " + files +
                    " (their blobs are missing: an interrupted download or a cleaned cache); download it again");
    }
    return m.path;
}

}  // namespace expertscope
