#include "core/base/hub_download.h"

#include "core/base/error.h"
#include "core/base/hf_cache.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QStorageInfo>
#include <QThread>
#include <QUrl>

#include <algorithm>
#include <cstdio>
#include <memory>

namespace expertscope {
namespace {

struct RemoteFile {
    std::string name;
    int64_t size = 0;
    std::string etag;  // LFS: the content's sha256; else the git blob id (sha1)
    bool lfs = false;
};

std::string env(const char* name) { return qEnvironmentVariable(name).toStdString(); }

bool isCommitHash(const std::string& s) {
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{40}$"));
    return hex.match(QString::fromStdString(s)).hasMatch();
}

QString encoded(const std::string& s) { return QString::fromLatin1(QUrl::toPercentEncoding(QString::fromStdString(s))); }

QNetworkRequest request(const QString& url, const HubOptions& o) {
    QNetworkRequest r{QUrl(url)};
    r.setRawHeader("User-Agent", "expertscope");
    r.setRawHeader("Accept-Encoding", "identity");  // the bytes as stored, so sizes and ranges mean the file's
    if (!o.token.empty()) r.setRawHeader("Authorization", QByteArray("Bearer ") + QByteArray::fromStdString(o.token));
    r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    r.setTransferTimeout(o.timeoutMs);
    return r;
}

// What a failed request means to the user.
[[noreturn]] void failRequest(const std::string& repo, const HubOptions& o, QNetworkReply& reply, const std::string& what) {
    const int status = reply.attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const std::string where = repo + " (" + what + ")";
    if (status == 401)
        throw Error(where + ": the Hub answered 401: the model is private or gated, or does not exist; for a model you "
                            "may use, set HF_TOKEN or log in with `huggingface-cli login`");
    if (status == 403)
        throw Error(where + ": the Hub answered 403 (access denied): a gated model; accept its conditions on its page "
                            "with the account whose token is used");
    if (status == 404) throw Error(where + ": not on the Hub (404): check the name and the revision");
    if (status >= 400) throw Error(where + ": the Hub answered HTTP " + std::to_string(status));
    throw Error(where + ": cannot reach " + o.endpoint + " (" + reply.errorString().toStdString() +
                "); models already in the cache open offline as hf:" + repo);
}

// A small GET (the model's file list).
QByteArray getSmall(QNetworkAccessManager& net, const QString& url, const std::string& repo, const HubOptions& o) {
    std::unique_ptr<QNetworkReply> reply(net.get(request(url, o)));
    QEventLoop loop;
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    if (reply->error() != QNetworkReply::NoError) failRequest(repo, o, *reply, "file list");
    return reply->readAll();
}

std::vector<RemoteFile> listFiles(const QByteArray& json, const std::string& repo, std::string& commit) {
    const QJsonObject info = QJsonDocument::fromJson(json).object();
    commit = info.value("sha").toString().toStdString();
    if (!isCommitHash(commit)) throw Error(repo + ": the Hub's answer names no commit (not a model's file list?)");
    std::vector<RemoteFile> files;
    bool pickleOnly = false;
    for (const auto& v : info.value("siblings").toArray()) {
        const QJsonObject s = v.toObject();
        RemoteFile f;
        f.name = s.value("rfilename").toString().toStdString();
        if (!isNeededModelFile(f.name)) {
            pickleOnly = pickleOnly || QString::fromStdString(f.name).endsWith(".bin");
            continue;
        }
        const QJsonObject lfs = s.value("lfs").toObject();
        f.lfs = !lfs.isEmpty();
        f.etag = (f.lfs ? lfs.value("sha256") : s.value("blobId")).toString().toStdString();
        f.size = static_cast<int64_t>((f.lfs ? lfs.value("size") : s.value("size")).toDouble(-1));
        static const QRegularExpression etag(QStringLiteral("^[0-9a-f]{40}([0-9a-f]{24})?$"));
        if (!etag.match(QString::fromStdString(f.etag)).hasMatch() || f.size < 0)
            throw Error(repo + ": the Hub's file list gives no checksum or size for " + f.name);
        files.push_back(f);
    }
    const bool weights = std::any_of(files.begin(), files.end(), [](const RemoteFile& f) {
        return QString::fromStdString(f.name).endsWith(".safetensors");
    });
    if (!weights)
        throw Error(repo + (pickleOnly ? ": publishes only pickled PyTorch weights (.bin), which Expertscope does not read "
                                         "(unpickling can run code)"
                                       : ": has no safetensors weights"));
    return files;
}

// The file's content hash as the Hub names it: sha256 for LFS files, git's blob id else.
std::string contentHash(const QString& path, const RemoteFile& f) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) throw Error(path.toStdString() + ": cannot read back");
    QCryptographicHash hash(f.lfs ? QCryptographicHash::Sha256 : QCryptographicHash::Sha1);
    if (!f.lfs) hash.addData(QByteArray("blob ") + QByteArray::number(file.size()) + QByteArray(1, '\0'));
    hash.addData(&file);
    return hash.result().toHex().toStdString();
}

class Fetcher {
public:
    Fetcher(std::string repo, const HubOptions& o, const DownloadCallback& progress) : repo_(std::move(repo)), o_(o), progress_(progress) {
        clock_.start();
    }

    void setTotal(int64_t total, int64_t done) {
        total_ = total;
        done_ = done;
    }

    // Into blobs/ETAG, resuming blobs/ETAG.incomplete; checked before it is renamed. The
    // bytes received, or -1 when a concurrent download of the blob finished it meanwhile.
    int64_t download(const QString& blobs, const std::string& commit, const RemoteFile& f) {
        const QString blob = blobs + "/" + QString::fromStdString(f.etag), partial = blob + ".incomplete";
        QLockFile lock(blob + ".lock");
        lock.setStaleLockTime(0);  // only a dead process's lock is stale: downloads can take hours
        while (!lock.tryLock(200)) report(f.name);  // another download of this blob: wait for it (or cancel)
        if (QFileInfo::exists(blob)) {  // it finished it
            done_ += f.size;
            return -1;
        }
        QFile out(partial);
        if (!out.open(QIODevice::ReadWrite | QIODevice::Append))
            throw Error(partial.toStdString() + ": cannot write (" + out.errorString().toStdString() + ")");
        const int64_t had = out.size() <= f.size ? out.size() : 0;
        if (had == 0) out.resize(0);
        done_ += had;
        const QString url = QString::fromStdString(o_.endpoint) + "/" + QString::fromStdString(repo_) + "/resolve/" +
                            QString::fromStdString(commit) + "/" + encoded(f.name).replace("%2F", "/");
        QNetworkRequest r = request(url, o_);
        if (had > 0) r.setRawHeader("Range", "bytes=" + QByteArray::number(static_cast<qint64>(had)) + "-");
        std::unique_ptr<QNetworkReply> reply(net_.get(r));
        QEventLoop loop;
        std::string writeError;
        bool started = false, cancelled = false;
        int64_t got = 0;
        QObject::connect(reply.get(), &QNetworkReply::readyRead, &loop, [&] {
            if (!started) {
                started = true;
                // 200 to a range request: the server sends the whole file, so start over.
                if (had > 0 && reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200) {
                    out.resize(0);
                    done_ -= had;
                }
            }
            const QByteArray chunk = reply->readAll();
            if (out.write(chunk) != chunk.size()) {
                writeError = out.errorString().toStdString();
                reply->abort();
                return;
            }
            got += chunk.size();
            done_ += chunk.size();
            transferred_ += chunk.size();
            if (!report(f.name, false)) {
                cancelled = true;
                reply->abort();
            }
        });
        QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        out.close();
        if (!writeError.empty())
            throw Error(partial.toStdString() + ": cannot write (" + writeError + "); what was downloaded is kept, free space "
                        "and run again to resume");
        if (cancelled) throw Error("cancelled; what was downloaded is kept, and the next download resumes from it");
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() != QNetworkReply::NoError && !(status == 416 && QFileInfo(partial).size() == f.size)) {
            if (status == 0 || status == 200 || status == 206)
                throw Error(repo_ + ": the download of " + f.name + " stopped (" + reply->errorString().toStdString() + ") after " +
                            std::to_string(QFileInfo(partial).size()) + " of " + std::to_string(f.size) +
                            " bytes; what was downloaded is kept: run again to resume");
            failRequest(repo_, o_, *reply, f.name);
        }
        const int64_t size = QFileInfo(partial).size();
        const std::string hash = size == f.size ? contentHash(partial, f) : std::string();
        if (hash != f.etag) {
            QFile::remove(partial);  // wrong bytes: nothing to resume from
            throw Error(repo_ + ": " + f.name + " does not match the Hub's checksum (" + (f.lfs ? "sha256 " : "git blob id ") +
                        f.etag + ", got " + (hash.empty() ? std::to_string(size) + " of " + std::to_string(f.size) + " bytes" : hash) +
                        "); it was removed: run again");
        }
        if (!QFile::rename(partial, blob)) throw Error(blob.toStdString() + ": cannot move the finished download into place");
        return got;
    }

    // Calls the callback; throws when it cancels (unless asked to return instead).
    bool report(const std::string& file, bool throwOnCancel = true) {
        if (!progress_) return true;
        DownloadProgress p;
        p.file = file;
        p.done = done_;
        p.total = total_;
        const double seconds = clock_.elapsed() / 1000.0;
        p.bytesPerSecond = seconds > 0 ? transferred_ / seconds : 0;
        p.secondsLeft = p.bytesPerSecond > 0 ? static_cast<double>(total_ - done_) / p.bytesPerSecond : -1;
        const bool go = progress_(p);
        if (!go && throwOnCancel) throw Error("cancelled; what was downloaded is kept, and the next download resumes from it");
        return go;
    }

    QNetworkAccessManager& net() { return net_; }

private:
    std::string repo_;
    const HubOptions& o_;
    const DownloadCallback& progress_;
    QNetworkAccessManager net_;
    QElapsedTimer clock_;
    int64_t total_ = 0, done_ = 0, transferred_ = 0;
};

void linkInto(const QString& snapshot, const RemoteFile& f) {
    const QString link = snapshot + "/" + QString::fromStdString(f.name);
    QDir().mkpath(QFileInfo(link).absolutePath());
    const QString target = QDir(QFileInfo(link).absolutePath()).relativeFilePath(
        QFileInfo(snapshot).absolutePath() + "/../blobs/" + QString::fromStdString(f.etag));
    // Made aside and renamed over the old one: a concurrent download of the model doing the
    // same never sees the link missing, and neither fails.
    const QString aside = link + ".link-" + QString::number(reinterpret_cast<quintptr>(QThread::currentThreadId()), 16);
    QFile::remove(aside);
    if (!QFile::link(target, aside) || std::rename(aside.toLocal8Bit().constData(), link.toLocal8Bit().constData()) != 0) {
        QFile::remove(aside);
        throw Error(link.toStdString() + ": cannot link to its blob");
    }
}

}  // namespace

bool isNeededModelFile(const std::string& name) {
    const QString n = QString::fromStdString(name);
    if (n.contains('/')) return false;  // the model sits at the top; subfolders hold other formats
    static const QStringList exact = {"config.json",          "generation_config.json",  "model.safetensors.index.json",
                                      "tokenizer.json",       "tokenizer.model",         "tokenizer_config.json",
                                      "special_tokens_map.json", "vocab.json",           "merges.txt",
                                      "vocab.txt",            "added_tokens.json"};
    return exact.contains(n) || (n.startsWith("model") && n.endsWith(".safetensors"));
}

HubOptions hubOptionsFromEnvironment() {
    HubOptions o;
    if (!env("HF_ENDPOINT").empty()) o.endpoint = env("HF_ENDPOINT");
    while (!o.endpoint.empty() && o.endpoint.back() == '/') o.endpoint.pop_back();
    o.cacheDir = hfHubCacheDir();
    const QString offline = qEnvironmentVariable("HF_HUB_OFFLINE").toLower();
    o.offline = offline == "1" || offline == "true" || offline == "yes" || offline == "on";
    o.token = env("HF_TOKEN");
    if (o.token.empty()) {
        // Where `huggingface-cli login` keeps it: HF_TOKEN_PATH, else HF_HOME/token.
        std::string path = env("HF_TOKEN_PATH");
        if (path.empty()) {
            const std::string home = env("HF_HOME");
            const std::string xdg = env("XDG_CACHE_HOME");
            path = (home.empty() ? (xdg.empty() ? QDir::homePath().toStdString() + "/.cache" : xdg) + "/huggingface" : home) + "/token";
        }
        QFile f(QString::fromStdString(path));
        if (f.open(QIODevice::ReadOnly)) o.token = f.readAll().trimmed().toStdString();
    }
    return o;
}

FetchResult fetchModel(const std::string& repo, const std::string& revisionIn, const HubOptions& o, const DownloadCallback& progress) {
    const std::string revision = revisionIn.empty() ? "main" : revisionIn;
    const std::string spec = "hf:" + repo + "@" + revision;
    const QString root = QString::fromStdString(o.cacheDir) + "/models--" + QString::fromStdString(repo).replace("/", "--");
    FetchResult result;
    if (o.offline || isCommitHash(revision)) {
        // Offline: only the cache. A commit named exactly that the cache holds whole: nothing to ask.
        try {
            result.snapshot = resolveHfModel(spec, o.cacheDir);
            result.commit = QFileInfo(QString::fromStdString(result.snapshot)).fileName().toStdString();
            for (const auto& name : QDir(QString::fromStdString(result.snapshot)).entryList(QDir::Files)) result.files.push_back(name.toStdString());
            return result;
        } catch (const Error& e) {
            if (o.offline) throw Error(std::string("HF_HUB_OFFLINE is set, so nothing is downloaded: ") + e.what());
        }
    }
    static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$"));
    if (!name.match(QString::fromStdString(repo)).hasMatch() || repo.find("..") != std::string::npos)
        throw Error("'" + repo + "' is not a model name on the Hub (ORG/NAME)");
    Fetcher fetcher(repo, o, progress);
    std::string commit;
    const QString api = QString::fromStdString(o.endpoint) + "/api/models/" + QString::fromStdString(repo) + "/revision/" +
                        encoded(revision) + "?blobs=true";
    const auto files = listFiles(getSmall(fetcher.net(), api, repo, o), repo, commit);
    const QString blobs = root + "/blobs", snapshot = root + "/snapshots/" + QString::fromStdString(commit);
    if (!QDir().mkpath(blobs) || !QDir().mkpath(snapshot)) throw Error(root.toStdString() + ": cannot create the cache folders");
    int64_t total = 0, present = 0, needed = 0;
    for (const auto& f : files) {
        total += f.size;
        const QString blob = blobs + "/" + QString::fromStdString(f.etag);
        if (QFileInfo::exists(blob)) present += f.size;
        else needed += f.size - std::min<int64_t>(f.size, QFileInfo(blob + ".incomplete").size());
    }
    // A full disk said before the download, not halfway through it.
    const QStorageInfo disk(blobs);
    if (disk.isValid() && disk.bytesAvailable() >= 0 && disk.bytesAvailable() < needed)
        throw Error(repo + ": needs " + std::to_string(needed / (1024 * 1024)) + " MiB more in " + blobs.toStdString() + ", which has " +
                    std::to_string(disk.bytesAvailable() / (1024 * 1024)) + " MiB free");
    fetcher.setTotal(total, present);
    for (const auto& f : files) {
        if (QFileInfo::exists(blobs + "/" + QString::fromStdString(f.etag))) {
            result.reusedBytes += f.size;
        } else {
            const int64_t got = fetcher.download(blobs, commit, f);
            (got < 0 ? result.reusedBytes : result.downloadedBytes) += got < 0 ? f.size : got;
        }
        linkInto(snapshot, f);
        result.files.push_back(f.name);
    }
    fetcher.report(std::string());
    if (revision != commit) {
        // refs/main (or refs/pr/1) names the commit, as huggingface_hub writes it.
        QFile ref(root + "/refs/" + QString::fromStdString(revision));
        QDir().mkpath(QFileInfo(ref).absolutePath());
        if (!ref.open(QIODevice::WriteOnly) || ref.write(QByteArray::fromStdString(commit)) != static_cast<qint64>(commit.size()))
            throw Error(ref.fileName().toStdString() + ": cannot write");
    }
    result.snapshot = snapshot.toStdString();
    result.commit = commit;
    return result;
}

}  // namespace expertscope
