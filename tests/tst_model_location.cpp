// A project whose model moved: found again when the two moved together, named clearly by
// the command line when not, and asked for by the application (File > Locate model), which
// stores the new place only for the same weights.
#include "core/project/analysis.h"
#include "core/project/model_location.h"
#include "core/project/project_store.h"
#include "ui/main_window.h"
#include "ui/project_session.h"
#include "test_cli_and_sql.h"
#include "test_support.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QLineEdit>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

using namespace expertscope;

namespace {

const QString kDemoModel = QStringLiteral(EXPERTSCOPE_SOURCE_DIR "/resources/demo/model");

bool copyFolder(const QString& from, const QString& to) {
    QDir().mkpath(to);
    for (const QString& name : QDir(from).entryList(QDir::Files))
        if (!QFile::copy(QDir(from).filePath(name), QDir(to).filePath(name))) return false;
    return true;
}

// The last weight's last byte flipped: still a loadable model, but other weights.
bool changeLastWeight(const QString& modelDir) {
    QFile f(modelDir + "/model.safetensors");
    char c = 0;
    if (!f.open(QIODevice::ReadWrite) || !f.seek(f.size() - 1) || !f.getChar(&c) || !f.seek(f.size() - 1)) return false;
    return f.putChar(static_cast<char>(c ^ 0x01));
}

// A project beside (or away from) its model, with one concept analysed.
void makeProject(const QString& project, const QString& model) {
    auto store = ProjectStore::open(project.toStdString(), true);
    const auto m = loadModel({model.toStdString(), ""});
    const int64_t modelId = store->addModel(*m);
    ConceptSet set{"trees", "test", {{"tree", "", "", {"oak: a deciduous tree", "pine: an evergreen tree", "willow: a tree by water"},
                                      {"a city by the sea", "a river in the north", "an old metal coin"}, {}}}};
    const int64_t setId = store->addConceptSet(set);
    analyse(*store, *m, modelId, setId, RunSettings{});
}

}  // namespace

class TestModelLocation : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ExpertscopeTests");
        QSettings().clear();
        QVERIFY2(QFileInfo::exists(kDemoModel + "/config.json"), qPrintable(kDemoModel));
    }

    void aProjectMovedWithItsModelFindsIt() {
        const QString before = tmp_.filePath("together"), after = tmp_.filePath("moved/elsewhere");
        QVERIFY(copyFolder(kDemoModel, before + "/model"));
        makeProject(before + "/p.esproj", before + "/model");
        QVERIFY(QDir().mkpath(tmp_.filePath("moved")));
        QVERIFY(QDir().rename(before, after));
        const auto store = ProjectStore::open((after + "/p.esproj").toStdString(), false);
        const auto where = findStoredModel(*store, store->latestModel());
        QVERIFY(where.found);
        QCOMPARE(QString::fromStdString(where.storedPath), QFileInfo(tmp_.path()).canonicalFilePath() + "/together/model");
        QCOMPARE(QString::fromStdString(where.source.path), QFileInfo(after).canonicalFilePath() + "/model");
        // The tokenizer in the model's folder moved with it.
        QCOMPARE(QString::fromStdString(where.source.tokenizerPath), QFileInfo(after).canonicalFilePath() + "/model/tokenizer.model");
        // The command line opens it there without being told.
        const auto probe = test::cli({"probe", "--project", after + "/p.esproj", "--text", "oak: a deciduous tree"});
        QVERIFY2(probe.code == 0, probe.err.constData());
        QVERIFY2(probe.out.contains("tree"), probe.out.constData());
    }

    void aModelMovedAwayIsNamedClearly() {
        const QString project = tmp_.filePath("alone/p.esproj"), model = tmp_.filePath("alone-model");
        QVERIFY(copyFolder(kDemoModel, model));
        QDir().mkpath(tmp_.filePath("alone"));
        makeProject(project, model);
        QVERIFY(QDir().rename(model, tmp_.filePath("somewhere-else")));
        const auto store = ProjectStore::open(project.toStdString(), false);
        QVERIFY(!findStoredModel(*store, store->latestModel()).found);
        try {
            storedModelSource(*store, store->latestModel());
            QFAIL("a missing model was not reported");
        } catch (const std::exception& e) {
            QVERIFY2(QString(e.what()).contains("is no longer at " + QFileInfo(tmp_.path()).canonicalFilePath() + "/alone-model"), e.what());
        }
        const auto probe = test::cli({"probe", "--project", project, "--text", "oak"});
        QCOMPARE(probe.code, 1);
        QVERIFY2(probe.err.contains("is no longer at") && probe.err.contains("--model"), probe.err.constData());
    }

    // Only the same weights may stand in for the model the results came from.
    void relocatingChecksTheWeights() {
        const QString project = tmp_.filePath("check/p.esproj"), model = tmp_.filePath("check-model");
        QVERIFY(copyFolder(kDemoModel, model));
        QDir().mkpath(tmp_.filePath("check"));
        makeProject(project, model);
        const QString moved = tmp_.filePath("check-moved"), other = tmp_.filePath("check-other");
        QVERIFY(QDir().rename(model, moved));
        QVERIFY(copyFolder(moved, other));
        QVERIFY(changeLastWeight(other));
        auto store = ProjectStore::open(project.toStdString(), false);
        const int64_t id = store->latestModel();
        try {
            const auto m = loadModel({other.toStdString(), ""});
            store->relocateModel(id, *m, weightsHash(*m));
            QFAIL("other weights were accepted");
        } catch (const std::exception& e) {
            QVERIFY2(QString(e.what()).contains("holds other weights"), e.what());
        }
        QVERIFY(!findStoredModel(*store, id).found);  // nothing changed
        const auto m = loadModel({moved.toStdString(), ""});
        store->relocateModel(id, *m, weightsHash(*m));
        store.reset();
        store = ProjectStore::open(project.toStdString(), false);
        const auto where = findStoredModel(*store, id);
        QVERIFY(where.found);
        QCOMPARE(QString::fromStdString(where.source.path), QFileInfo(moved).canonicalFilePath());
        QCOMPARE(store->latestModel(), id);  // the same model, not a second one
    }

    // The application: a prompt naming the stored place; Locate model… opens a file dialog;
    // the chosen copy is loaded, checked and stored.
    void theWindowAsksForAMovedModel() {
        qunsetenv("EXPERTSCOPE_NO_DIALOGS");
        const QString project = tmp_.filePath("gui/p.esproj"), model = tmp_.filePath("gui-model"), moved = tmp_.filePath("gui-moved");
        QVERIFY(copyFolder(kDemoModel, model));
        QDir().mkpath(tmp_.filePath("gui"));
        makeProject(project, model);
        QVERIFY(QDir().rename(model, moved));

        MainWindow w;
        w.show();
        QString prompt, dialogTitle;
        int step = 0;
        QTimer driver;
        connect(&driver, &QTimer::timeout, [&] {
            QWidget* modal = QApplication::activeModalWidget();
            if (!modal) return;
            if (auto* box = qobject_cast<QMessageBox*>(modal); box && step == 0 && box->objectName() == "locateModelPrompt") {
                prompt = box->text();
                step = 1;
                for (auto* b : box->buttons())
                    if (box->buttonRole(b) == QMessageBox::AcceptRole) b->click();
            } else if (auto* files = qobject_cast<QFileDialog*>(modal); files && step >= 1) {
                // As a user would: the path typed into the file name field, then Open.
                dialogTitle = files->windowTitle();
                step = 2;
                if (auto* name = files->findChild<QLineEdit*>("fileNameEdit")) name->setText(moved + "/config.json");
                QMetaObject::invokeMethod(files, "accept", Qt::QueuedConnection);
            }
        });
        driver.start(20);
        QSignalSpy errors(w.session(), &ProjectSession::failed);
        QVERIFY(w.openProject(project));
        QVERIFY(test::waitFor([&] { return w.session()->hasModel(); }, 60000));
        driver.stop();
        QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.first().at(1).toString()));
        QVERIFY2(prompt.contains(QFileInfo(tmp_.path()).canonicalFilePath() + "/gui-model"), qPrintable(prompt));
        QVERIFY2(dialogTitle.contains("gui-model"), qPrintable(dialogTitle));
        QVERIFY(w.session()->missingModel().isEmpty());
        w.close();
        const auto store = ProjectStore::open(project.toStdString(), false);
        QCOMPARE(QString::fromStdString(store->modelSource(store->latestModel()).path), QFileInfo(moved).canonicalFilePath());
    }

    // Moved together, the application finds the model beside the project and keeps using
    // the stored one (its results), storing the new place: no second model, no question.
    void theWindowFindsAModelMovedWithItsProject() {
        qputenv("EXPERTSCOPE_NO_DIALOGS", "1");
        const QString before = tmp_.filePath("gui-together"), after = tmp_.filePath("gui-moved-together");
        QVERIFY(copyFolder(kDemoModel, before + "/model"));
        makeProject(before + "/p.esproj", before + "/model");
        QVERIFY(QDir().rename(before, after));
        MainWindow w;
        QSignalSpy errors(w.session(), &ProjectSession::failed);
        QVERIFY(w.openProject(after + "/p.esproj"));
        QVERIFY(test::waitFor([&] { return w.session()->hasModel(); }, 60000));
        QVERIFY(errors.isEmpty());
        QVERIFY(w.property("lastPrompt").toString().isEmpty());
        QCOMPARE(w.session()->concepts().size(), 1);
        QVERIFY(w.session()->concepts().first().analysed);  // the stored model's results
        w.close();
        const auto store = ProjectStore::open((after + "/p.esproj").toStdString(), false);
        QCOMPARE(store->latestModel(), int64_t(1));  // still one model
        QCOMPARE(QString::fromStdString(store->modelSource(1).path), QFileInfo(after).canonicalFilePath() + "/model");
        qunsetenv("EXPERTSCOPE_NO_DIALOGS");
    }

    // Other weights at the stored place (a folder re-downloaded, retrained): said so, the
    // project's results kept and no second model added.
    void otherWeightsAtTheStoredPlaceAreRefused() {
        qputenv("EXPERTSCOPE_NO_DIALOGS", "1");
        const QString project = tmp_.filePath("changed/p.esproj"), model = tmp_.filePath("changed-model");
        QVERIFY(copyFolder(kDemoModel, model));
        QDir().mkpath(tmp_.filePath("changed"));
        makeProject(project, model);
        QVERIFY(changeLastWeight(model));
        MainWindow w;
        QVERIFY(w.openProject(project));
        QVERIFY(test::waitFor([&] { return !w.property("lastError").toString().isEmpty(); }, 60000));
        QVERIFY2(w.property("lastError").toString().startsWith("Not this project's model: ") &&
                     w.property("lastError").toString().contains("holds other weights"),
                 qPrintable(w.property("lastError").toString()));
        QVERIFY(!w.session()->hasModel());
        QVERIFY(w.session()->concepts().first().analysed);
        QCOMPARE(w.session()->missingModel(), QFileInfo(model).canonicalFilePath());
        w.close();
        QCOMPARE(ProjectStore::open(project.toStdString(), false)->latestModel(), int64_t(1));
        qunsetenv("EXPERTSCOPE_NO_DIALOGS");
    }

    // "Not now": the results stay viewable, nothing is changed, and no error is shown.
    void notNowKeepsTheResultsViewable() {
        qunsetenv("EXPERTSCOPE_NO_DIALOGS");
        const QString project = tmp_.filePath("later/p.esproj"), model = tmp_.filePath("later-model");
        QVERIFY(copyFolder(kDemoModel, model));
        QDir().mkpath(tmp_.filePath("later"));
        makeProject(project, model);
        QVERIFY(QDir().rename(model, tmp_.filePath("later-moved")));
        MainWindow w;
        w.show();
        bool asked = false;
        QTimer driver;
        connect(&driver, &QTimer::timeout, [&] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget()); box && box->objectName() == "locateModelPrompt") {
                asked = true;
                for (auto* b : box->buttons())
                    if (box->buttonRole(b) == QMessageBox::RejectRole) b->click();
            }
        });
        driver.start(20);
        QSignalSpy errors(w.session(), &ProjectSession::failed);
        QVERIFY(w.openProject(project));
        QVERIFY(test::waitFor([&] { return asked; }, 10000));
        QTest::qWait(200);
        driver.stop();
        QVERIFY(errors.isEmpty());
        QVERIFY(!w.session()->hasModel());
        QCOMPARE(w.session()->missingModel(), QFileInfo(tmp_.path()).canonicalFilePath() + "/later-model");
        QCOMPARE(w.session()->concepts().size(), 1);
        QCOMPARE(w.session()->concepts().first().name, QString("tree"));
    }
};

QTEST_MAIN(TestModelLocation)
#include "tst_model_location.moc"
