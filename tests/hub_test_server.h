#pragma once
// A stand-in for the Hugging Face Hub on 127.0.0.1, for the download tests (never the real
// Hub): the Hub's URL layout and headers for a model's file list
// (/api/models/ORG/NAME/revision/REV?blobs=true), its files (/ORG/NAME/resolve/REV/FILE:
// small files directly with their git blob id as ETag, LFS files by a 302 to /cdn/SHA256
// with X-Linked-Etag and X-Repo-Commit) and range requests. Faults on demand: a file cut
// off mid-body once, a wrong checksum in the file list, a private (401 without the token)
// and a gated (403) model. Runs in a thread of its own, so a download may block the test's.
#include <QByteArray>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QMutex>
#include <QMutexLocker>
#include <QSemaphore>
#include <QSet>
#include <QStringList>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

namespace expertscope::test {

class HubTestServer : public QThread {
public:
    struct Repo {
        QString commit;
        QMap<QString, QByteArray> files;  // name -> contents
        bool isPrivate = false, gated = false;
    };

    // Every file of `dir` as one repository's, at `commit`; a pickle sibling is listed too
    // (requesting it answers 500, which the tests look for).
    void addRepo(const QString& name, const QString& dir, const QString& commit) {
        Repo r;
        r.commit = commit;
        for (const QString& f : QDir(dir).entryList(QDir::Files)) {
            QFile in(QDir(dir).filePath(f));
            in.open(QIODevice::ReadOnly);
            r.files[f] = in.readAll();
        }
        QMutexLocker l(&mutex_);
        repos_[name] = r;
    }
    void setPrivate(const QString& name, bool gated) {
        QMutexLocker l(&mutex_);
        (gated ? repos_[name].gated : repos_[name].isPrivate) = true;
    }
    void setToken(const QByteArray& token) {
        QMutexLocker l(&mutex_);
        token_ = token;
    }
    void cutOnce(const QString& file) {
        QMutexLocker l(&mutex_);
        cut_.insert(file);
    }
    // The next range request for `file` gets the whole file with 200, as some servers answer.
    void ignoreRangeOnce(const QString& file) {
        QMutexLocker l(&mutex_);
        noRange_.insert(file);
    }
    // The file list of `repo` gives a wrong sha256 for `file` from now on.
    void wrongChecksum(const QString& repo, const QString& file) {
        QMutexLocker l(&mutex_);
        wrong_.insert(repo + "/" + file);
    }
    // "GET /path range=bytes=N- auth" per request, in order ("auth": it carried a token).
    QStringList log() const {
        QMutexLocker l(&mutex_);
        return log_;
    }

    static QByteArray sha256(const QByteArray& b) { return QCryptographicHash::hash(b, QCryptographicHash::Sha256).toHex(); }
    static QByteArray gitBlobId(const QByteArray& b) {
        return QCryptographicHash::hash("blob " + QByteArray::number(b.size()) + QByteArray(1, '\0') + b, QCryptographicHash::Sha1).toHex();
    }
    static bool isLfs(const QString& file) { return file.endsWith(".safetensors"); }

    quint16 startServing() {
        start();
        ready_.acquire();
        return port_;
    }
    // LFS contents come from another origin (another port), as the Hub's CDN is another host.
    quint16 cdnPort() const { return cdnPort_; }
    ~HubTestServer() override {
        quit();
        wait();
    }

protected:
    void run() override {
        QTcpServer server, cdn;
        server.listen(QHostAddress::LocalHost, 0);
        cdn.listen(QHostAddress::LocalHost, 0);
        port_ = server.serverPort();
        cdnPort_ = cdn.serverPort();
        for (QTcpServer* sv : {&server, &cdn})
            QObject::connect(sv, &QTcpServer::newConnection, [this, sv] {
                while (QTcpSocket* s = sv->nextPendingConnection()) {
                    QObject::connect(s, &QTcpSocket::readyRead, [this, s] { onData(s); });
                    QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
                }
            });
        ready_.release();
        exec();
    }

private:
    void onData(QTcpSocket* s) {
        QByteArray buffer = s->property("buffer").toByteArray() + s->readAll();
        s->setProperty("buffer", buffer);
        const int end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        QMap<QByteArray, QByteArray> headers;
        for (int i = 1; i < lines.size(); ++i) {
            const int colon = lines[i].indexOf(':');
            if (colon > 0) headers[lines[i].left(colon).trimmed().toLower()] = lines[i].mid(colon + 1).trimmed();
        }
        respond(s, first.value(0), QString::fromUtf8(QByteArray::fromPercentEncoding(first.value(1))), headers);
    }

    void send(QTcpSocket* s, int status, const QByteArray& reason, const QList<QByteArray>& headers, const QByteArray& body,
              qint64 declaredLength = -1, bool cut = false) {
        QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + " " + reason + "\r\n";
        for (const auto& h : headers) out += h + "\r\n";
        out += "Content-Length: " + QByteArray::number(declaredLength >= 0 ? declaredLength : body.size()) + "\r\nConnection: close\r\n\r\n";
        out += body;
        s->write(out);
        s->flush();
        s->waitForBytesWritten(5000);
        if (cut) s->abort();
        else s->disconnectFromHost();
    }

    void respond(QTcpSocket* s, const QByteArray& method, const QString& target, const QMap<QByteArray, QByteArray>& headers) {
        QMutexLocker l(&mutex_);
        log_ << QString::fromLatin1(method) + " " + target + (headers.contains("range") ? " range=" + headers["range"] : QByteArray()) +
                    (headers.contains("authorization") ? " auth" : "");
        const QString path = target.section('?', 0, 0);
        const bool authorised = !token_.isEmpty() && headers.value("authorization") == "Bearer " + token_;
        // The file list.
        if (path.startsWith("/api/models/")) {
            const QStringList parts = path.mid(12).split('/');  // ORG NAME revision REV
            const QString name = parts.value(0) + "/" + parts.value(1);
            if (!repos_.contains(name)) return send(s, 404, "Not Found", {}, R"({"error":"Repository not found"})");
            const Repo& r = repos_[name];
            // A gated model's file list is public, as on the Hub; its files are not.
            if (r.isPrivate && !authorised) return send(s, 401, "Unauthorized", {}, R"({"error":"Invalid credentials"})");
            const QString rev = parts.mid(3).join('/');
            if (rev != "main" && rev != r.commit) return send(s, 404, "Not Found", {}, R"({"error":"Revision not found"})");
            QJsonArray siblings;
            for (auto it = r.files.begin(); it != r.files.end(); ++it) {
                QJsonObject f{{"rfilename", it.key()}, {"size", it.value().size()}, {"blobId", QString(gitBlobId(it.value()))}};
                if (isLfs(it.key())) {
                    QByteArray sha = sha256(it.value());
                    if (wrong_.contains(name + "/" + it.key())) sha = sha256(sha);
                    f["lfs"] = QJsonObject{{"sha256", QString(sha)}, {"size", it.value().size()}};
                }
                siblings.append(f);
            }
            siblings.append(QJsonObject{{"rfilename", "pytorch_model.bin"}, {"size", 10}, {"blobId", QString(gitBlobId("x"))}});
            return send(s, 200, "OK", {"Content-Type: application/json"},
                        QJsonDocument(QJsonObject{{"id", name}, {"sha", r.commit}, {"siblings", siblings}}).toJson());
        }
        // LFS contents behind the redirect.
        if (path.startsWith("/cdn/")) {
            for (const Repo& r : repos_)
                for (auto it = r.files.begin(); it != r.files.end(); ++it)
                    if (sha256(it.value()) == path.mid(5).toLatin1()) return sendFile(s, it.key(), it.value(), headers, {});
            return send(s, 404, "Not Found", {}, {});
        }
        // /ORG/NAME/resolve/REV/FILE
        const QStringList parts = path.mid(1).split('/');
        const QString name = parts.value(0) + "/" + parts.value(1), file = parts.mid(4).join('/');
        if (parts.value(2) != "resolve" || !repos_.contains(name)) return send(s, 404, "Not Found", {}, {});
        const Repo& r = repos_[name];
        if (const int denied = access(r, authorised)) return send(s, denied, "Denied", {}, "<html>Access to this model is restricted</html>");
        if (!r.files.contains(file)) return send(s, file == "pytorch_model.bin" ? 500 : 404, "No", {}, "<html>Entry not found</html>");
        const QByteArray& body = r.files[file];
        const QByteArray commit = "X-Repo-Commit: " + r.commit.toLatin1();
        if (isLfs(file))
            return send(s, 302, "Found", {"Location: http://127.0.0.1:" + QByteArray::number(cdnPort_) + "/cdn/" + sha256(body),
                                          "X-Linked-Etag: \"" + sha256(body) + "\"",
                                          "X-Linked-Size: " + QByteArray::number(body.size()), commit}, {});
        sendFile(s, file, body, headers, {"ETag: \"" + gitBlobId(body) + "\"", commit});
    }

    int access(const Repo& r, bool authorised) const {
        if (r.isPrivate && !authorised) return 401;
        if (r.gated) return authorised ? 403 : 401;
        return 0;
    }

    void sendFile(QTcpSocket* s, const QString& file, const QByteArray& body, const QMap<QByteArray, QByteArray>& headers,
                  QList<QByteArray> extra) {
        qint64 from = 0;
        if (headers.contains("range") && !noRange_.remove(file)) {
            from = headers["range"].mid(6).split('-').value(0).toLongLong();
            if (from >= body.size())
                return send(s, 416, "Range Not Satisfiable", {}, "<?xml version=\"1.0\"?><Error><Code>InvalidRange</Code></Error>");
            extra << "Content-Range: bytes " + QByteArray::number(from) + "-" + QByteArray::number(body.size() - 1) + "/" +
                         QByteArray::number(body.size());
        }
        const QByteArray part = body.mid(from);
        if (cut_.remove(file))  // half the body, the full length promised, then the connection drops
            return send(s, from ? 206 : 200, from ? "Partial Content" : "OK", extra, part.left(part.size() / 2), part.size(), true);
        send(s, from ? 206 : 200, from ? "Partial Content" : "OK", extra, part);
    }

    mutable QMutex mutex_;
    QMap<QString, Repo> repos_;
    QByteArray token_;
    QSet<QString> cut_, wrong_, noRange_;
    QStringList log_;
    QSemaphore ready_;
    quint16 port_ = 0, cdnPort_ = 0;
};

}  // namespace expertscope::test
