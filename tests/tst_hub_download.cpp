// Downloading models from the Hub, against a stand-in served on 127.0.0.1 from the fixtures
// in ../shared (hub_test_server.h), never the real Hub: the standard cache layout (blobs by
// checksum, relative links, refs), only the files a model needs (never the pickle), the
// redirect to LFS contents followed, reuse without downloading, a download cut off mid-file
// resumed by a range request, a wrong checksum refused and removed, 401/403/404 and an
// unreachable Hub explained, HF_HUB_OFFLINE honoured, a cancel kept for resuming, a full
// disk reported with the partial file kept, two concurrent downloads of one model, the
// command line's fetch and File > Add model's download.
#include "core/base/error.h"
#include "core/base/hf_cache.h"
#include "core/base/hub_download.h"
#include "core/runtime/language_model.h"
#include "hub_test_server.h"
#include "test_cli_and_sql.h"
#include "test_support.h"
#include "ui/add_model_dialog.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtConcurrent>

#include <csignal>
#include <sys/resource.h>

using namespace expertscope;

namespace {
const QString kCommit = "4f1c0d9e7b2a6c3d8e5f0a1b2c3d4e5f60718293";
const QString kRepo = "karpathy/stories260K";
}  // namespace

class TestHubDownload : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString fixture_;
    std::unique_ptr<test::HubTestServer> hub_;
    QString endpoint_;
    int caches_ = 0;

    HubOptions options() {
        HubOptions o;
        o.endpoint = endpoint_.toStdString();
        o.cacheDir = tmp_.filePath("cache" + QString::number(++caches_)).toStdString();
        o.timeoutMs = 10000;
        return o;
    }
    QString blob(const HubOptions& o, const QString& file) const {
        QFile f(fixture_ + "/" + file);
        f.open(QIODevice::ReadOnly);
        const QByteArray b = f.readAll();
        return QString::fromStdString(o.cacheDir) + "/models--karpathy--stories260K/blobs/" +
               (test::HubTestServer::isLfs(file) ? test::HubTestServer::sha256(b) : test::HubTestServer::gitBlobId(b));
    }
    int requests() const { return static_cast<int>(hub_->log().size()); }

private slots:
    void initTestCase() {
        REQUIRE_SHARED(config, "models/stories260K-hf/config.json");
        fixture_ = QFileInfo(config).absolutePath();
        hub_ = std::make_unique<test::HubTestServer>();
        for (const QString& name : {kRepo, QString("someone/private"), QString("meta/gated"), QString("cut/model"),
                                    QString("wrong/model"), QString("disk/model"), QString("cancel/model"), QString("whole/model")})
            hub_->addRepo(name, fixture_, kCommit);
        hub_->setPrivate("someone/private", false);
        hub_->setPrivate("meta/gated", true);
        hub_->setToken("secret");
        endpoint_ = "http://127.0.0.1:" + QString::number(hub_->startServing());
    }

    void fetchesIntoTheStandardCacheLayout() {
        const auto o = options();
        std::vector<DownloadProgress> seen;
        const int before = requests();
        const auto r = fetchModel(kRepo.toStdString(), "main", o, [&](const DownloadProgress& p) {
            seen.push_back(p);
            return true;
        });
        const QString root = QString::fromStdString(o.cacheDir) + "/models--karpathy--stories260K";
        QCOMPARE(QString::fromStdString(r.snapshot), root + "/snapshots/" + kCommit);
        QCOMPARE(QString::fromStdString(r.commit), kCommit);
        QStringList files;
        for (const auto& f : r.files) files << QString::fromStdString(f);
        files.sort();
        QCOMPARE(files, QDir(fixture_).entryList(QDir::Files));  // every file, and no pickle
        for (const QString& f : files) {
            const QFileInfo link(root + "/snapshots/" + kCommit + "/" + f);
            QVERIFY2(link.isSymLink() && link.symLinkTarget() == QFileInfo(blob(o, f)).absoluteFilePath(), qPrintable(f));
        }
        QFile ref(root + "/refs/main");
        QVERIFY(ref.open(QIODevice::ReadOnly));
        QCOMPARE(QString(ref.readAll()), kCommit);
        QVERIFY(!seen.empty());
        QCOMPARE(seen.back().done, seen.back().total);
        QCOMPARE(seen.back().total, r.downloadedBytes);
        QVERIFY(seen.back().bytesPerSecond > 0);
        const QStringList log = hub_->log().mid(before);
        QVERIFY2(log.filter("/cdn/").size() == 1, qPrintable(log.join('\n')));  // the LFS redirect followed
        QVERIFY(log.filter("pytorch_model.bin").isEmpty());
        // What other tools (and hf:...) open: the same model as the fixture, to the bit.
        const auto cached = loadModel({resolveHfModel("hf:" + kRepo.toStdString(), o.cacheDir), ""});
        const auto direct = loadModel({fixture_.toStdString(), ""});
        const auto ids = direct->tokenize("Once upon a time");
        QCOMPARE(cached->trace(ids).logits, direct->trace(ids).logits);

        // Again, by branch or by commit: only the file list is asked for.
        const int again = requests();
        const auto second = fetchModel(kRepo.toStdString(), "main", o);
        QCOMPARE(second.downloadedBytes, int64_t(0));
        QCOMPARE(second.reusedBytes, r.downloadedBytes);
        QCOMPARE(requests(), again + 1);
        QCOMPARE(fetchModel(kRepo.toStdString(), kCommit.toStdString(), o).downloadedBytes, int64_t(0));
        QCOMPARE(requests(), again + 2);
    }

    // A server that answers a range request with the whole file (200): it starts over,
    // and the file is still right.
    void aRangeAnsweredWithTheWholeFileStartsOver() {
        const auto o = options();
        hub_->cutOnce("model.safetensors");
        test::expectError([&] { fetchModel("whole/model", "main", o); }, "run again to resume");
        hub_->ignoreRangeOnce("model.safetensors");
        const auto r = fetchModel("whole/model", "main", o);
        const qint64 config = QFileInfo(fixture_ + "/config.json").size();
        qint64 total = 0;
        for (const QFileInfo& fi : QDir(fixture_).entryInfoList(QDir::Files)) total += fi.size();
        QCOMPARE(r.downloadedBytes, total - config);  // the weights whole, again
        QCOMPARE(loadModel({r.snapshot, ""})->info().vocab, 512);
    }

    void resumesADownloadCutOffMidFile() {
        const auto o = options();
        hub_->cutOnce("model.safetensors");
        test::expectError([&] { fetchModel("cut/model", "main", o); }, "what was downloaded is kept: run again to resume");
        const qint64 kept = QFileInfo(QString::fromStdString(o.cacheDir) + "/models--cut--model/blobs/" +
                                      QFileInfo(blob(o, "model.safetensors")).fileName() + ".incomplete").size();
        const qint64 size = QFileInfo(fixture_ + "/model.safetensors").size();
        QVERIFY2(kept > 0 && kept < size, qPrintable(QString::number(kept)));
        const int before = requests();
        const auto r = fetchModel("cut/model", "main", o);
        // The range asked of the Hub goes on through its redirect to the LFS contents.
        QVERIFY2(hub_->log().mid(before).filter("/cdn/").filter("range=bytes=" + QString::number(kept) + "-").size() == 1,
                 qPrintable(hub_->log().mid(before).join('\n')));
        // config.json came whole before the cut; the weights' first `kept` bytes are not fetched again.
        qint64 total = 0;
        for (const QFileInfo& fi : QDir(fixture_).entryInfoList(QDir::Files)) total += fi.size();
        const qint64 config = QFileInfo(fixture_ + "/config.json").size();
        QCOMPARE(r.reusedBytes, config);
        QCOMPARE(r.downloadedBytes, total - config - kept);
        QCOMPARE(loadModel({r.snapshot, ""})->info().vocab, 512);
    }

    void aWrongChecksumIsRefusedAndRemoved() {
        const auto o = options();
        hub_->wrongChecksum("wrong/model", "model.safetensors");
        test::expectError([&] { fetchModel("wrong/model", "main", o); }, "model.safetensors does not match the Hub's checksum (sha256");
        const QDir blobs(QString::fromStdString(o.cacheDir) + "/models--wrong--model/blobs");
        QVERIFY2(blobs.entryList({"*.incomplete"}, QDir::Files).isEmpty(), "the wrong bytes were kept");
        QVERIFY(!QFileInfo::exists(QString::fromStdString(o.cacheDir) + "/models--wrong--model/snapshots/" + kCommit + "/model.safetensors"));
    }

    void refusalsAndAnUnreachableHubAreExplained() {
        auto o = options();
        test::expectError([&] { fetchModel("nobody/nothing", "main", o); }, "nobody/nothing (file list): not on the Hub (404)");
        test::expectError([&] { fetchModel(kRepo.toStdString(), "no-such-branch", o); }, "not on the Hub (404)");
        test::expectError([&] { fetchModel("someone/private", "main", o); }, "the Hub answered 401");
        test::expectError([&] { fetchModel("someone/private", "main", o); }, "set HF_TOKEN");
        o.token = "secret";
        const int before = requests();
        QCOMPARE(fetchModel("someone/private", "main", o).files.size(), size_t(4));
        // The token went to the Hub, never to where it redirected.
        const QStringList log = hub_->log().mid(before);
        QVERIFY2(log.filter("/api/models/someone/private").filter(" auth").size() == 1, qPrintable(log.join('\n')));
        QVERIFY2(log.filter("/cdn/").size() == 1 && log.filter("/cdn/").filter(" auth").isEmpty(), qPrintable(log.join('\n')));
        // A gated model lists its files but refuses them: no snapshot is left that reads as a model.
        test::expectError([&] { fetchModel("meta/gated", "main", o); }, "403 (access denied): a gated model");
        QVERIFY(!QFileInfo::exists(QString::fromStdString(o.cacheDir) + "/models--meta--gated/snapshots"));
        test::expectError([&] { resolveHfModel("hf:meta/gated", o.cacheDir); }, "holds no snapshot yet");
        test::expectError([&] { fetchModel(kRepo.toStdString(), "../../x", o); }, "is not a revision");
        test::expectError([&] { fetchModel("../etc", "main", o); }, "is not a model name on the Hub");
        o.endpoint = "http://127.0.0.1:1";
        test::expectError([&] { fetchModel("x/y", "main", o); }, "cannot reach http://127.0.0.1:1");
    }

    void offlineNothingTouchesTheNetwork() {
        auto o = options();
        fetchModel(kRepo.toStdString(), "main", o);
        o.offline = true;
        const int before = requests();
        const auto r = fetchModel(kRepo.toStdString(), "main", o);
        QCOMPARE(QString::fromStdString(r.commit), kCommit);
        test::expectError([&] { fetchModel("someone/private", "main", o); }, "HF_HUB_OFFLINE is set, so nothing is downloaded");
        QCOMPARE(requests(), before);
        // The environment, as huggingface_hub reads it.
        qputenv("HF_HUB_OFFLINE", "1");
        qputenv("HF_ENDPOINT", "http://mirror.example/");
        qputenv("HF_TOKEN", "t0k");
        auto e = hubOptionsFromEnvironment();
        QVERIFY(e.offline);
        QCOMPARE(e.endpoint, std::string("http://mirror.example"));
        QCOMPARE(e.token, std::string("t0k"));
        qunsetenv("HF_TOKEN");
        const QString home = tmp_.filePath("hf-home");
        QDir().mkpath(home);
        QFile token(home + "/token");
        QVERIFY(token.open(QIODevice::WriteOnly));
        token.write("hf_fromfile\n");
        token.close();
        qputenv("HF_HOME", home.toUtf8());
        e = hubOptionsFromEnvironment();
        QCOMPARE(e.token, std::string("hf_fromfile"));
        QCOMPARE(e.cacheDir, home.toStdString() + "/hub");
        for (const char* v : {"HF_HUB_OFFLINE", "HF_ENDPOINT", "HF_HOME"}) qunsetenv(v);
    }

    void aCancelKeepsWhatWasDownloaded() {
        const auto o = options();
        bool cancel = true;
        // Cancelled on the weights' first report, which comes with their first bytes.
        test::expectError([&] { fetchModel("cancel/model", "main", o, [&](const DownloadProgress& p) {
                              return !(cancel && p.file == "model.safetensors");
                          }); },
                          "cancelled; what was downloaded is kept");
        const QString partial = QString::fromStdString(o.cacheDir) + "/models--cancel--model/blobs/" +
                                QFileInfo(blob(o, "model.safetensors")).fileName() + ".incomplete";
        const qint64 kept = QFileInfo(partial).size();
        QVERIFY2(kept > 0, "nothing was kept");
        QVERIFY(!QFileInfo::exists(QString::fromStdString(o.cacheDir) + "/models--cancel--model/snapshots"));
        cancel = false;
        const auto r = fetchModel("cancel/model", "main", o);
        QCOMPARE(r.files.size(), size_t(4));
        // Nothing kept is fetched again (on loopback the first chunk may be the whole file).
        qint64 total = 0;
        for (const QFileInfo& fi : QDir(fixture_).entryInfoList(QDir::Files)) total += fi.size();
        const qint64 config = QFileInfo(fixture_ + "/config.json").size();
        QCOMPARE(r.downloadedBytes, total - config - kept);
        QCOMPARE(loadModel({r.snapshot, ""})->info().vocab, 512);
        QVERIFY(QDir(QString::fromStdString(o.cacheDir) + "/models--cancel--model/blobs").entryList({"*.incomplete", "*.lock"}, QDir::Files).isEmpty());
    }

    // A full disk while writing (a file size limit stands in for it): said, the partial kept.
    void aFullDiskIsReportedAndThePartialKept() {
        const auto o = options();
        struct rlimit old {};
        getrlimit(RLIMIT_FSIZE, &old);
        auto previous = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = old;
        small.rlim_cur = 300000;  // the weights are about 1 MB
        setrlimit(RLIMIT_FSIZE, &small);
        std::string message;
        try {
            fetchModel("disk/model", "main", o);
        } catch (const Error& e) {
            message = e.what();
        }
        setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, previous);
        QVERIFY2(message.find("cannot write") != std::string::npos && message.find("free space and run again to resume") != std::string::npos,
                 message.c_str());
        const QString partial = QString::fromStdString(o.cacheDir) + "/models--disk--model/blobs/" +
                                QFileInfo(blob(o, "model.safetensors")).fileName() + ".incomplete";
        QVERIFY(QFileInfo(partial).size() > 0);
        QCOMPARE(fetchModel("disk/model", "main", o).files.size(), size_t(4));  // and it resumes
    }

    void twoConcurrentDownloadsShareTheCache() {
        const auto o = options();
        auto fetch = [&] {
            try {
                return std::make_pair(fetchModel(kRepo.toStdString(), "main", o), std::string());
            } catch (const Error& e) {
                return std::make_pair(FetchResult{}, std::string(e.what()));
            }
        };
        auto a = QtConcurrent::run(fetch), b = QtConcurrent::run(fetch);
        const auto [ra, ea] = a.result();
        const auto [rb, eb] = b.result();
        QVERIFY2(ea.empty() && eb.empty(), (ea + " | " + eb).c_str());
        QCOMPARE(ra.snapshot, rb.snapshot);
        QCOMPARE(ra.downloadedBytes + ra.reusedBytes, rb.downloadedBytes + rb.reusedBytes);
        const QDir blobs(QString::fromStdString(o.cacheDir) + "/models--karpathy--stories260K/blobs");
        QCOMPARE(blobs.entryList(QDir::Files).size(), 4);  // the four blobs, nothing left over
        for (const QString& f : QDir(fixture_).entryList(QDir::Files)) {
            QFile got(blob(o, f)), want(fixture_ + "/" + f);
            QVERIFY(got.open(QIODevice::ReadOnly) && want.open(QIODevice::ReadOnly));
            QVERIFY2(got.readAll() == want.readAll(), qPrintable(f));
        }
    }

    // File > Add model downloads in the background and adds what it downloaded; a refusal
    // is shown in the dialog, which stays open.
    void theAddModelDialogDownloads() {
        const QString cache = tmp_.filePath("gui-cache");
        qputenv("HF_ENDPOINT", endpoint_.toUtf8());
        qputenv("HF_HUB_CACHE", cache.toUtf8());
        AddModelDialog d(cache.toStdString());
        d.show();
        QCOMPARE(d.modelCount(), 0);
        auto* name = test::child<QLineEdit>(&d, "hubModelName");
        auto* status = test::child<QLabel>(&d, "downloadStatus");
        name->setText("nobody/nothing");
        d.startDownload();
        QVERIFY(d.downloading());
        QVERIFY(test::waitFor([&] { return !d.downloading(); }, 20000));
        QVERIFY2(status->text().contains("not on the Hub (404)"), qPrintable(status->text()));
        QVERIFY(d.isVisible());
        name->setText(kRepo + "@main");
        QSignalSpy accepted(&d, &QDialog::accepted);
        test::child<QPushButton>(&d, "downloadModel")->click();
        QVERIFY(accepted.wait(20000));
        QCOMPARE(d.chosenPath(), cache + "/models--karpathy--stories260K/snapshots/" + kCommit);
        qputenv("HF_HUB_OFFLINE", "1");
        AddModelDialog offline(cache.toStdString());
        QCOMPARE(offline.modelCount(), 1);  // what was just downloaded
        QVERIFY(!test::child<QPushButton>(&offline, "downloadModel")->isEnabled());
        for (const char* v : {"HF_HUB_OFFLINE", "HF_ENDPOINT", "HF_HUB_CACHE"}) qunsetenv(v);
    }

    void theCommandLineFetches() {
        if (qgetenv("EXPERTSCOPE_CLI").isEmpty()) MISSING_ASSET(QStringLiteral("EXPERTSCOPE_CLI not set (run through ctest)"));
        const QString cache = tmp_.filePath("cli-cache");
        qputenv("HF_ENDPOINT", endpoint_.toUtf8());
        qputenv("HF_HUB_CACHE", cache.toUtf8());
        const auto r = test::cli({"fetch", kRepo, "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto json = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(json.value("commit").toString(), kCommit);
        QVERIFY(r.err.contains("100.0%"));
        const auto info = test::cli({"tokenize", "--model", "hf:" + kRepo, "--text", "Once upon a time"});
        QVERIFY2(info.code == 0, info.err.constData());
        qputenv("HF_HUB_OFFLINE", "1");
        const auto offline = test::cli({"fetch", "someone/else"});
        QCOMPARE(offline.code, 1);
        QVERIFY2(offline.err.contains("HF_HUB_OFFLINE is set"), offline.err.constData());
        for (const char* v : {"HF_HUB_OFFLINE", "HF_ENDPOINT", "HF_HUB_CACHE"}) qunsetenv(v);
    }
};

QTEST_MAIN(TestHubDownload)
#include "tst_hub_download.moc"
