#include "core/base/hub_download.h"

#include "core/base/error.h"
#include "core/base/hf_cache.h"

#include <QCoreApplication>
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
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

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

// The token goes only to the endpoint itself, never to where it redirects (the LFS CDN, a
// mirror's storage): redirects are followed by hand (get below).
QNetworkRequest request(const QUrl& url, const HubOptions& o, bool withToken) {
    QNetworkRequest r{url};
    r.setRawHeader("User-Agent", "expertscope");
    r.setRawHeader("Accept-Encoding", "identity");  // the bytes as stored, so sizes and ranges mean the file's
    if (withToken && !o.token.empty()) r.setRawHeader("Authorization", QByteArray("Bearer ") + QByteArray::fromStdString(o.token));
    r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    r.setTransferTimeout(o.timeoutMs);
    return r;
}

struct Outcome {
    int status = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    std::string errorText;
    bool cancelled = false;  // keepGoing said stop
    bool stopped = false;    // the sink refused a chunk (a write error)
    bool timedOut = false;   // no byte for timeoutMs
};

// One GET, redirects followed by hand (Range kept, the token only for the endpoint's own
// origin). Only a 200 or 206 answer's body reaches `sink` (error pages and redirect bodies
// are not the file); `keepGoing` is asked every 150 ms and after each chunk.
Outcome get(QNetworkAccessManager& net, const QString& firstUrl, const HubOptions& o, const QByteArray& range,
            const std::function<bool(const QByteArray&, int)>& sink, const std::function<bool()>& keepGoing) {
    const QUrl endpoint(QString::fromStdString(o.endpoint));
    QUrl url(firstUrl);
    for (int hop = 0; hop < 6; ++hop) {
        const bool sameOrigin = url.scheme() == endpoint.scheme() && url.host() == endpoint.host() &&
                                url.port(url.scheme() == "https" ? 443 : 80) == endpoint.port(endpoint.scheme() == "https" ? 443 : 80);
        QNetworkRequest r = request(url, o, sameOrigin);
        if (!range.isEmpty()) r.setRawHeader("Range", range);
        std::unique_ptr<QNetworkReply> reply(net.get(r));
        Outcome out;
        QEventLoop loop;
        QTimer tick;
        QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
            if (!keepGoing()) {
                out.cancelled = true;
                reply->abort();
            }
        });
        tick.start(150);
        QObject::connect(reply.get(), &QNetworkReply::readyRead, &loop, [&] {
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QByteArray chunk = reply->readAll();
            if (status != 200 && status != 206) return;
            if (!sink(chunk, status)) {
                out.stopped = true;
                reply->abort();
            } else if (!keepGoing()) {
                out.cancelled = true;
                reply->abort();
            }
        });
        QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        out.error = reply->error();
        out.errorText = reply->errorString().toStdString();
        out.timedOut = out.error == QNetworkReply::OperationCanceledError && !out.cancelled && !out.stopped;
        if (out.status >= 300 && out.status < 400 && !out.cancelled) {
            const QByteArray location = reply->rawHeader("Location");
            if (location.isEmpty()) return out;
            url = url.resolved(QUrl(QString::fromUtf8(location)));
            continue;
        }
        return out;
    }
    throw Error(firstUrl.toStdString() + ": more than 5 redirects");
}

// What a failed request means to the user.
[[noreturn]] void failRequest(const std::string& repo, const HubOptions& o, const Outcome& r, const std::string& what) {
    const std::string where = repo + " (" + what + ")";
    if (r.status == 401)
        throw Error(where + ": the Hub answered 401: the model is private or gated, or does not exist; for a model you "
                            "may use, set HF_TOKEN or log in with `huggingface-cli login`");
    if (r.status == 403)
        throw Error(where + ": the Hub answered 403 (access denied): a gated model; accept its conditions on its page "
                            "with the account whose token is used");
    if (r.status == 404) throw Error(where + ": not on the Hub (404): check the name and the revision");
    if (r.status >= 400) throw Error(where + ": the Hub answered HTTP " + std::to_string(r.status));
    if (r.timedOut)
        throw Error(where + ": no answer from " + o.endpoint + " for " + std::to_string(o.timeoutMs / 1000) + " s");
    throw Error(where + ": cannot reach " + o.endpoint + " (" + r.errorText + "); a model already in the cache opens offline as hf:ORG/NAME");
}

// A small GET (the model's file list).
QByteArray getSmall(QNetworkAccessManager& net, const QString& url, const std::string& repo, const HubOptions& o,
                    const std::function<bool()>& keepGoing) {
    QByteArray body;
    const Outcome r = get(net, url, o, {}, [&](const QByteArray& chunk, int) {
        body += chunk;
        return body.size() < (64 << 20);  // a file list, not a download
    }, keepGoing);
    if (r.cancelled) throw Error("cancelled");
    if (r.error != QNetworkReply::NoError || r.stopped) failRequest(repo, o, r, "file list");
    return body;
}

// An exclusive lock on huggingface_hub's lock file for a blob (CACHE/.locks/REPO/ETAG.lock),
// taken as its filelock takes it (flock), so Python downloads, other processes and other
// threads all exclude each other, and a killed process's lock goes with it.
class BlobLock {
public:
    explicit BlobLock(const QString& path) : path_(path) {
        QDir().mkpath(QFileInfo(path).absolutePath());
        fd_ = ::open(path.toLocal8Bit().constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) throw Error(path.toStdString() + ": cannot create the download lock (" + std::strerror(errno) + ")");
    }
    ~BlobLock() {
        ::flock(fd_, LOCK_UN);
        ::close(fd_);
    }
    BlobLock(const BlobLock&) = delete;
    BlobLock& operator=(const BlobLock&) = delete;
    bool tryLock() {
        if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return true;
        if (errno == EWOULDBLOCK || errno == EINTR) return false;
        throw Error(path_.toStdString() + ": cannot lock (" + std::strerror(errno) + ")");
    }

private:
    QString path_;
    int fd_ = -1;
};

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
    void addDone(int64_t bytes) { done_ += bytes; }

    // Into blobs/ETAG, resuming blobs/ETAG.incomplete; checked before it is renamed. The
    // bytes received, or -1 when a concurrent download of the blob finished it meanwhile.
    int64_t download(const QString& blobs, const QString& locks, const std::string& commit, const RemoteFile& f) {
        const QString blob = blobs + "/" + QString::fromStdString(f.etag), partial = blob + ".incomplete";
        BlobLock lock(locks + "/" + QString::fromStdString(f.etag) + ".lock");
        while (!lock.tryLock()) {  // another download of this blob (here, another process, Python): wait for it
            if (!report("waiting for another download of " + f.name, true)) throw Error(kCancelled);
            QThread::msleep(200);
        }
        if (QFileInfo::exists(blob)) {  // it finished it
            done_ += f.size;
            return -1;
        }
        QFile out(partial);
        if (!out.open(QIODevice::ReadWrite | QIODevice::Append))
            throw Error(partial.toStdString() + ": cannot write (" + out.errorString().toStdString() + ")");
        if (out.size() > f.size) out.resize(0);  // not this file's start: begin again
        const int64_t had = out.size();
        done_ += had;
        int64_t got = 0;
        if (had < f.size) {
            const QString url = QString::fromStdString(o_.endpoint) + "/" + QString::fromStdString(repo_) + "/resolve/" +
                                QString::fromStdString(commit) + "/" + encoded(f.name);
            std::string writeError;
            bool started = false;
            const Outcome r = get(net_, url, o_, had > 0 ? "bytes=" + QByteArray::number(static_cast<qint64>(had)) + "-" : QByteArray(),
                                  [&](const QByteArray& chunk, int status) {
                                      if (!started) {
                                          started = true;
                                          // 200 to a range request: the whole file comes, so start over.
                                          if (had > 0 && status == 200) {
                                              out.resize(0);
                                              done_ -= had;
                                          }
                                      }
                                      if (out.write(chunk) != chunk.size()) {
                                          writeError = out.errorString().toStdString();
                                          return false;
                                      }
                                      got += chunk.size();
                                      done_ += chunk.size();
                                      transferred_ += chunk.size();
                                      return true;
                                  },
                                  [&] { return report(f.name); });
            if (writeError.empty() && !out.flush()) writeError = out.errorString().toStdString();
            out.close();
            if (!writeError.empty())
                throw Error(partial.toStdString() + ": cannot write (" + writeError + "); what was downloaded is kept, free space "
                            "and run again to resume");
            if (r.cancelled) throw Error(kCancelled);
            if (r.error != QNetworkReply::NoError && !(r.status == 416 && QFileInfo(partial).size() == f.size)) {
                if (r.status == 0 || r.status == 200 || r.status == 206)
                    throw Error(repo_ + ": the download of " + f.name + " stopped (" + (r.timedOut ? "no data for " +
                                std::to_string(o_.timeoutMs / 1000) + " s" : r.errorText) + ") after " +
                                std::to_string(QFileInfo(partial).size()) + " of " + std::to_string(f.size) +
                                " bytes; what was downloaded is kept: run again to resume");
                failRequest(repo_, o_, r, f.name);
            }
        }
        const int64_t size = QFileInfo(partial).size();
        if (size < f.size)
            throw Error(repo_ + ": the download of " + f.name + " ended after " + std::to_string(size) + " of " + std::to_string(f.size) +
                        " bytes; what was downloaded is kept: run again to resume");
        const std::string hash = contentHash(partial, f);
        if (size != f.size || hash != f.etag) {
            QFile::remove(partial);  // wrong bytes: nothing to resume from
            throw Error(repo_ + ": " + f.name + " does not match the Hub's checksum (" + (f.lfs ? "sha256 " : "git blob id ") +
                        f.etag + ", got " + hash + " for " + std::to_string(size) + " bytes); it was removed: run again");
        }
        if (!QFile::rename(partial, blob)) throw Error(blob.toStdString() + ": cannot move the finished download into place");
        return got;
    }

    // Tells the callback, at most 10 times a second unless `force` or a new file; false
    // when it cancels.
    bool report(const std::string& file, bool force = false) {
        if (!progress_) return true;
        const qint64 now = clock_.elapsed();
        if (!force && file == lastFile_ && lastReport_ >= 0 && now - lastReport_ < 100) return true;
        lastReport_ = now;
        lastFile_ = file;
        DownloadProgress p;
        p.file = file;
        p.done = std::min(done_, total_);
        p.total = total_;
        const double seconds = now / 1000.0;
        p.bytesPerSecond = seconds > 0 ? transferred_ / seconds : 0;
        p.secondsLeft = p.bytesPerSecond > 0 ? static_cast<double>(total_ - p.done) / p.bytesPerSecond : -1;
        return progress_(p);
    }

    QNetworkAccessManager& net() { return net_; }
    static constexpr const char* kCancelled = "cancelled; what was downloaded is kept, and the next download resumes from it";

private:
    std::string repo_;
    const HubOptions& o_;
    const DownloadCallback& progress_;
    QNetworkAccessManager net_;
    QElapsedTimer clock_;
    qint64 lastReport_ = -1;
    std::string lastFile_;
    int64_t total_ = 0, done_ = 0, transferred_ = 0;
};

void linkInto(const QString& snapshot, const RemoteFile& f) {
    const QString link = snapshot + "/" + QString::fromStdString(f.name);
    QDir().mkpath(QFileInfo(link).absolutePath());
    const QString target = QDir(QFileInfo(link).absolutePath()).relativeFilePath(
        QFileInfo(snapshot).absolutePath() + "/../blobs/" + QString::fromStdString(f.etag));
    // Made aside and renamed over the old one: a concurrent download of the model doing the
    // same never sees the link missing, and neither fails.
    const QString aside = link + ".link-" + QString::number(QCoreApplication::applicationPid()) + "-" +
                          QString::number(reinterpret_cast<quintptr>(QThread::currentThreadId()), 16);
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
    // model.safetensors or its shards (model-00001-of-00002.safetensors), not variants such
    // as model.fp16.safetensors, whose tensors the loader would find twice.
    static const QRegularExpression shard(QStringLiteral("^model(-\\d+-of-\\d+)?\\.safetensors$"));
    return exact.contains(n) || shard.match(n).hasMatch();
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
        if (path.empty()) path = hfHomeDir() + "/token";
        if (path == "~" || path.rfind("~/", 0) == 0) path = QDir::homePath().toStdString() + path.substr(1);
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
    if (o.offline) {
        try {
            result.snapshot = resolveHfModel(spec, o.cacheDir);
        } catch (const Error& e) {
            throw Error(std::string("HF_HUB_OFFLINE is set, so nothing is downloaded: ") + e.what());
        }
        result.commit = QFileInfo(QString::fromStdString(result.snapshot)).fileName().toStdString();
        for (const auto& f : QDir(QString::fromStdString(result.snapshot)).entryList(QDir::Files)) result.files.push_back(f.toStdString());
        return result;
    }
    static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$"));
    if (!name.match(QString::fromStdString(repo)).hasMatch() || repo.find("..") != std::string::npos)
        throw Error("'" + repo + "' is not a model name on the Hub (ORG/NAME)");
    // A revision becomes a file under refs/: segments of safe characters, none "." or "..".
    static const QRegularExpression rev(QStringLiteral("^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$"));
    if (!rev.match(QString::fromStdString(revision)).hasMatch() || revision.find("..") != std::string::npos)
        throw Error("'" + revision + "' is not a revision (a branch, tag or commit)");
    Fetcher fetcher(repo, o, progress);
    std::string commit;
    const QString api = QString::fromStdString(o.endpoint) + "/api/models/" + QString::fromStdString(repo) + "/revision/" +
                        encoded(revision) + "?blobs=true";
    const auto files = listFiles(getSmall(fetcher.net(), api, repo, o, [&] { return fetcher.report(std::string()); }), repo, commit);
    const QString blobs = root + "/blobs", snapshot = root + "/snapshots/" + QString::fromStdString(commit);
    const QString locks = QString::fromStdString(o.cacheDir) + "/.locks/models--" + QString::fromStdString(repo).replace("/", "--");
    if (!QDir().mkpath(blobs)) throw Error(root.toStdString() + ": cannot create the cache folders");
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
    // Every blob first; the snapshot's links only once all are there, so a snapshot folder
    // in the cache is always whole (a cancel or a refusal halfway leaves blobs, no snapshot).
    for (const auto& f : files) {
        if (QFileInfo::exists(blobs + "/" + QString::fromStdString(f.etag))) {
            result.reusedBytes += f.size;
        } else {
            const int64_t got = fetcher.download(blobs, locks, commit, f);
            (got < 0 ? result.reusedBytes : result.downloadedBytes) += got < 0 ? f.size : got;
        }
        result.files.push_back(f.name);
    }
    if (!QDir().mkpath(snapshot)) throw Error(snapshot.toStdString() + ": cannot create");
    for (const auto& f : files) linkInto(snapshot, f);
    if (revision != commit) {
        // refs/main (or refs/pr/1) names the commit, as huggingface_hub writes it.
        QFile ref(root + "/refs/" + QString::fromStdString(revision));
        QDir().mkpath(QFileInfo(ref).absolutePath());
        if (!ref.open(QIODevice::WriteOnly) || ref.write(QByteArray::fromStdString(commit)) != static_cast<qint64>(commit.size()))
            throw Error(ref.fileName().toStdString() + ": cannot write");
    }
    fetcher.report(std::string(), true);  // the whole: told, whatever the answer
    result.snapshot = snapshot.toStdString();
    result.commit = commit;
    return result;
}

}  // namespace expertscope
