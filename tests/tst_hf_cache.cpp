// Models in Hugging Face's hub cache, found and opened without a network: the cache folder
// as huggingface_hub chooses it from the environment; every snapshot listed with its refs,
// size, family and whether it opens (and why not); hf:ORG/NAME[@REV] resolved by ref, commit
// or prefix, loading the very model the fixture folder holds; missing blobs reported, not
// followed; the command line taking --model hf:... and File > Add model listing them. The caches are built here, in the real
// layout (blobs, relative symlinks, refs), from the fixtures in ../shared.
#include "core/base/error.h"
#include "core/base/hf_cache.h"
#include "core/runtime/language_model.h"
#include "test_cli_and_sql.h"
#include "test_support.h"
#include "ui/add_model_dialog.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>

using namespace expertscope;

namespace {

const char* kCommit = "4f1c0d9e7b2a6c3d8e5f0a1b2c3d4e5f60718293";
const char* kOlder = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";

// A snapshot of `fixture`'s files as huggingface_hub writes one: contents under blobs/
// named by their hash, the snapshot's files relative links to them, refs/REF the commit.
void addSnapshot(const QString& cache, const QString& repo, const QString& fixture, const QString& commit, const QString& ref) {
    const QString root = cache + "/models--" + QString(repo).replace("/", "--");
    QVERIFY(QDir().mkpath(root + "/blobs") && QDir().mkpath(root + "/snapshots/" + commit));
    for (const QFileInfo& fi : QDir(fixture).entryInfoList(QDir::Files)) {
        QFile in(fi.filePath());
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray bytes = in.readAll();
        const QString blob = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
        QFile out(root + "/blobs/" + blob);
        if (!out.exists()) {
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(bytes);
            out.close();
        }
        QVERIFY(QFile::link("../../blobs/" + blob, root + "/snapshots/" + commit + "/" + fi.fileName()));
    }
    if (!ref.isEmpty()) {
        QVERIFY(QDir().mkpath(root + "/refs"));
        QFile r(root + "/refs/" + ref);
        QVERIFY(r.open(QIODevice::WriteOnly));
        r.write(commit.toUtf8());  // as huggingface_hub writes it: no newline
    }
}

int64_t folderBytes(const QString& dir) {
    int64_t n = 0;
    for (const QFileInfo& fi : QDir(dir).entryInfoList(QDir::Files)) n += fi.size();
    return n;
}

}  // namespace

class TestHfCache : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString cache_, stories_, t5_;

private slots:
    void initTestCase() {
        REQUIRE_SHARED(stories, "models/stories260K-hf/config.json");
        REQUIRE_SHARED(bert, "models/bert-tiny-random/config.json");
        stories_ = QFileInfo(stories).absolutePath();
        // BERT's weights under an encoder-decoder's model_type: a snapshot that cannot open.
        t5_ = tmp_.filePath("t5");
        QVERIFY(QDir().mkpath(t5_));
        QVERIFY(QFile::link(QFileInfo(bert).absolutePath() + "/model.safetensors", t5_ + "/model.safetensors"));
        QFile config(t5_ + "/config.json");
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("{\"model_type\": \"t5\", \"architectures\": [\"T5ForConditionalGeneration\"]}");
        config.close();
        cache_ = tmp_.filePath("hub");
        addSnapshot(cache_, "karpathy/stories260K", stories_, kCommit, "main");
        addSnapshot(cache_, "karpathy/stories260K", stories_, kOlder, "");  // an older revision, no ref
        addSnapshot(cache_, "google/t5-tiny", t5_, kCommit, "main");
        QVERIFY(QDir().mkpath(cache_ + "/datasets--someone--data/snapshots/x"));  // not a model: skipped
        qputenv("HF_HUB_CACHE", cache_.toUtf8());
    }

    // huggingface_hub's order: HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, HF_HOME/hub,
    // XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub.
    void theCacheFolderFollowsTheEnvironment() {
        const QByteArray keep = qgetenv("HF_HUB_CACHE");
        qputenv("HUGGINGFACE_HUB_CACHE", "/old/name");
        qputenv("HF_HOME", "~/hf-home");
        qputenv("XDG_CACHE_HOME", "/xdg");
        QCOMPARE(hfHubCacheDir(), keep.toStdString());
        qunsetenv("HF_HUB_CACHE");
        QCOMPARE(hfHubCacheDir(), std::string("/old/name"));
        qunsetenv("HUGGINGFACE_HUB_CACHE");
        QCOMPARE(hfHubCacheDir(), QDir::homePath().toStdString() + "/hf-home/hub");
        qunsetenv("HF_HOME");
        QCOMPARE(hfHubCacheDir(), std::string("/xdg/huggingface/hub"));
        qunsetenv("XDG_CACHE_HOME");
        QCOMPARE(hfHubCacheDir(), QDir::homePath().toStdString() + "/.cache/huggingface/hub");
        qputenv("HF_HUB_CACHE", keep);
    }

    void listsEverySnapshotWithWhatItIs() {
        const auto models = scanHfCache(cache_.toStdString());
        QCOMPARE(models.size(), size_t(3));
        QCOMPARE(models[0].repo, std::string("google/t5-tiny"));
        QCOMPARE(models[0].modelType, std::string("t5"));
        QVERIFY2(modelProblem(models[0].path).find("model_type 't5' is not supported") != std::string::npos,
                 modelProblem(models[0].path).c_str());
        QCOMPARE(models[1].repo, std::string("karpathy/stories260K"));
        QCOMPARE(models[1].revision, std::string(kOlder));
        QVERIFY(models[1].refs.empty());
        QCOMPARE(models[2].revision, std::string(kCommit));
        QCOMPARE(models[2].refs, std::vector<std::string>{"main"});
        QCOMPARE(models[2].bytes, folderBytes(stories_));  // the blobs' sizes, through the links
        QCOMPARE(models[2].modelType, std::string("llama"));
        QVERIFY(models[2].missingFiles.empty());
        QCOMPARE(modelProblem(models[2].path), std::string());
        QVERIFY(scanHfCache(tmp_.filePath("absent").toStdString()).empty());
    }

    void resolvesByRefCommitOrPrefix() {
        const std::string main = cache_.toStdString() + "/models--karpathy--stories260K/snapshots/" + kCommit;
        const std::string older = cache_.toStdString() + "/models--karpathy--stories260K/snapshots/" + kOlder;
        QCOMPARE(resolveHfModel("hf:karpathy/stories260K", cache_.toStdString()), main);
        QCOMPARE(resolveHfModel("hf:karpathy/stories260K@main", cache_.toStdString()), main);
        QCOMPARE(resolveHfModel(std::string("hf:karpathy/stories260K@") + kOlder, cache_.toStdString()), older);
        QCOMPARE(resolveHfModel("hf:karpathy/stories260K@0a1b2c3", cache_.toStdString()), older);
        test::expectError([&] { resolveHfModel("hf:karpathy/stories260K@0a1b2c", cache_.toStdString()); },
                          "no revision '0a1b2c' in the cache (there: main, 0a1b2c3d4e5f, 4f1c0d9e7b2a)");
        test::expectError([&] { resolveHfModel("hf:karpathy/stories15M", cache_.toStdString()); },
                          "hf:karpathy/stories15M: not in the Hugging Face cache");
        test::expectError([&] { resolveHfModel("hf:karpathy/stories15M", cache_.toStdString()); },
                          "huggingface-cli download karpathy/stories15M");
        for (const char* bad : {"hf:", "hf:/x", "hf:a/b/c", "hf:a/b@", "hf:../x"})
            test::expectError([&] { resolveHfModel(bad, cache_.toStdString()); }, "expected hf:ORG/NAME");
    }

    // hf:... opens the very model the fixture folder holds: the same logits, to the bit.
    void loadsFromTheCacheExactly() {
        const auto cached = loadModel({"hf:karpathy/stories260K", ""});
        const auto direct = loadModel({stories_.toStdString(), ""});
        const auto ids = direct->tokenize("Once upon a time, there was a little dog.");
        QCOMPARE(cached->tokenize("Once upon a time, there was a little dog."), ids);
        QCOMPARE(cached->trace(ids).logits, direct->trace(ids).logits);
        QCOMPARE(cached->info().path, resolveHfModel("hf:karpathy/stories260K"));
    }

    // A blob gone (an interrupted download, a cleaned cache): listed, and refused by name.
    void aMissingBlobIsReportedNotFollowed() {
        const QString cache = tmp_.filePath("broken");
        addSnapshot(cache, "karpathy/stories260K", stories_, kCommit, "main");
        const QString link = cache + "/models--karpathy--stories260K/snapshots/" + kCommit + "/model.safetensors";
        QVERIFY(QFile::remove(QFileInfo(link).canonicalFilePath()));
        const auto models = scanHfCache(cache.toStdString());
        QCOMPARE(models.size(), size_t(1));
        QCOMPARE(models[0].missingFiles, std::vector<std::string>{"model.safetensors"});
        QCOMPARE(models[0].bytes, folderBytes(stories_) - QFileInfo(stories_ + "/model.safetensors").size());
        QVERIFY(!modelProblem(models[0].path).empty());
        test::expectError([&] { resolveHfModel("hf:karpathy/stories260K", cache.toStdString()); },
                          "lacks the contents of model.safetensors (their blobs are missing");
        // A ref naming a snapshot that is not there.
        QFile ref(cache + "/models--karpathy--stories260K/refs/main");
        QVERIFY(ref.open(QIODevice::WriteOnly));
        ref.write("ffffffffffffffffffffffffffffffffffffffff");
        ref.close();
        test::expectError([&] { resolveHfModel("hf:karpathy/stories260K", cache.toStdString()); }, "holds no snapshot of it");
    }

    void pickledWeightsAreNamedAsTheReason() {
        const QString dir = tmp_.filePath("pickled");
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(QFile::copy(stories_ + "/config.json", dir + "/config.json"));
        QFile bin(dir + "/pytorch_model.bin");
        QVERIFY(bin.open(QIODevice::WriteOnly));
        bin.write("not read");
        bin.close();
        QVERIFY2(modelProblem(dir.toStdString()).find("only pickled PyTorch weights") != std::string::npos,
                 modelProblem(dir.toStdString()).c_str());
        QVERIFY(modelProblem(tmp_.filePath("nothing").toStdString()).find("not a Hugging Face model folder") != std::string::npos);
    }

    // File > Add model lists the cache: what cannot open greyed with its reason, a
    // double-click on one that can gives its snapshot folder.
    void theAddModelDialogListsTheCache() {
        AddModelDialog d(cache_.toStdString());
        QCOMPARE(d.modelCount(), 3);
        auto* table = test::child<QTableWidget>(&d, "cachedModels");
        auto* add = test::child<QPushButton>(&d, "addCachedModel");
        QCOMPARE(table->item(0, 0)->text(), QString("google/t5-tiny"));
        QVERIFY(!(table->item(0, 0)->flags() & Qt::ItemIsEnabled));
        QVERIFY2(table->item(0, 4)->text().startsWith("no: ") && table->item(0, 4)->text().contains("'t5' is not supported"),
                 qPrintable(table->item(0, 4)->text()));
        QCOMPARE(table->item(2, 1)->text(), QString("main (4f1c0d9e7b2a)"));
        QCOMPARE(table->item(2, 3)->text(), QString("llama"));
        QCOMPARE(table->item(2, 4)->text(), QString("yes"));
        QVERIFY(!add->isEnabled());
        table->setCurrentCell(2, 0);
        QVERIFY(add->isEnabled());
        emit table->itemDoubleClicked(table->item(2, 0));
        QCOMPARE(d.result(), int(QDialog::Accepted));
        QCOMPARE(d.chosenPath().toStdString(), resolveHfModel("hf:karpathy/stories260K", cache_.toStdString()));
        AddModelDialog empty(tmp_.filePath("absent").toStdString());
        QCOMPARE(empty.modelCount(), 0);
    }

    void theCommandLineTakesHfNames() {
        if (qgetenv("EXPERTSCOPE_CLI").isEmpty()) MISSING_ASSET(QStringLiteral("EXPERTSCOPE_CLI not set (run through ctest)"));
        const auto ok = test::cli({"tokenize", "--model", "hf:karpathy/stories260K@main", "--text", "Once upon a time"});
        QVERIFY2(ok.code == 0, ok.err.constData());
        const auto direct = test::cli({"tokenize", "--model", stories_, "--text", "Once upon a time"});
        QCOMPARE(ok.out, direct.out);
        const auto missing = test::cli({"info", "--model", "hf:nobody/nothing"});
        QCOMPARE(missing.code, 1);
        QVERIFY2(missing.err.contains("hf:nobody/nothing: not in the Hugging Face cache"), missing.err.constData());
    }
};

QTEST_MAIN(TestHfCache)
#include "tst_hf_cache.moc"
