// Concept import (ml-selfcond folders, tables, text files), corpus concepts, and the
// validation messages for each kind of bad input.
#include "core/base/error.h"
#include "core/base/file_kind.h"
#include "core/project/concepts.h"
#include "test_support.h"

#include <QFile>
#include <QTemporaryDir>

using namespace expertscope;

class TestConcepts : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    std::string write(const QString& name, const QByteArray& content) {
        QDir().mkpath(QFileInfo(tmp_.filePath(name)).absolutePath());
        QFile f(tmp_.filePath(name));
        f.open(QIODevice::WriteOnly);
        f.write(content);
        return f.fileName().toStdString();
    }
    static bool has(const std::vector<ValidationMessage>& m, const std::string& fragment, bool fatal) {
        for (const auto& x : m)
            if (x.message.find(fragment) != std::string::npos && x.fatal == fatal) return true;
        return false;
    }

private slots:
    // What a path holds, by the loaders' own rules: a front end routes dropped files by it.
    void pathsAreRecognisedAsTheLoadersOpenThem() {
        REQUIRE_SHARED(list, "concepts/onesec-small/concept_list.csv");
        REQUIRE_SHARED(bin, "models/stories260K/stories260K.bin");
        REQUIRE_SHARED(hf, "models/stories260K-hf/config.json");
        QTemporaryDir tmp;
        const auto touch = [&](const QString& name) {
            QFile f(tmp.filePath(name));
            if (!f.open(QIODevice::WriteOnly)) throw Error("cannot create " + name.toStdString());
            return tmp.filePath(name).toStdString();
        };
        const std::string project = touch("p.esproj"), table = touch("c.tsv"), text = touch("dogs.txt"), other = touch("notes.pdf");
        const std::string folder = QFileInfo(list).absolutePath().toStdString();
        QCOMPARE(int(fileKind(project).kind), int(FileKind::Project));
        QCOMPARE(int(fileKind(list.toStdString()).kind), int(FileKind::Concepts));
        QCOMPARE(fileKind(list.toStdString()).path, folder);  // the list stands for its folder
        QCOMPARE(int(fileKind(folder).kind), int(FileKind::Concepts));
        QCOMPARE(int(conceptFormat(folder)), int(ConceptFormat::SelfcondFolder));
        QCOMPARE(int(conceptFormat(table)), int(ConceptFormat::Table));
        QCOMPARE(int(conceptFormat(text)), int(ConceptFormat::TextFiles));
        QCOMPARE(int(fileKind(bin.toStdString()).kind), int(FileKind::Model));
        QCOMPARE(int(modelFormat(bin.toStdString())), int(ModelFormat::Llama2c));
        QCOMPARE(int(modelFormat(QFileInfo(hf).absolutePath().toStdString())), int(ModelFormat::HuggingFaceFolder));
        QCOMPARE(int(fileKind(other).kind), int(FileKind::Unknown));
        QCOMPARE(int(fileKind(tmp.path().toStdString()).kind), int(FileKind::Unknown));  // an empty folder
        QCOMPARE(int(fileKind(tmp.filePath("missing.bin").toStdString()).kind), int(FileKind::Unknown));
    }

    void selfcondFolders() {
        REQUIRE_SHARED(full, "concepts/onesec/concept_list.csv");
        REQUIRE_SHARED(small, "concepts/onesec-small/concept_list.csv");
        const auto set = importSelfcondFolder(QFileInfo(full).absolutePath().toStdString());
        QCOMPARE(set.concepts.size(), size_t(1));
        const auto& c = set.concepts[0];
        QCOMPARE(c.name, std::string("football-1_04_00__"));
        QCOMPARE(c.group, std::string("sense"));
        QCOMPARE(c.positives.size(), size_t(700));
        QCOMPARE(c.negatives.size(), size_t(1000));
        QVERIFY(c.positives[0].find("Football is a family of team sports") != std::string::npos);
        const auto s = importSelfcondFolder(QFileInfo(small).absolutePath().toStdString());
        QCOMPARE(s.concepts[0].positives.size(), size_t(13));
        QCOMPARE(s.concepts[0].negatives.size(), size_t(18));
    }

    void badSelfcondFolders() {
        write("bad1/concept_list.csv", "group,concept\nsense,missing\n");
        expertscope::test::expectError([&] { importSelfcondFolder(tmp_.filePath("bad1").toStdString()); }, "missing.json: cannot read");
        write("bad2/concept_list.csv", "group,concept\njust-one-field\n");
        expertscope::test::expectError([&] { importSelfcondFolder(tmp_.filePath("bad2").toStdString()); }, "line 2: expected 'group,concept'");
        write("bad3/concept_list.csv", "group,concept\ng,c\n");
        write("bad3/g/c.json", "{\"sentences\": {\"positive\": [\"a\"], ");
        expertscope::test::expectError([&] { importSelfcondFolder(tmp_.filePath("bad3").toStdString()); }, "invalid JSON");
        write("bad4/concept_list.csv", "group,concept\ng,c\n");
        write("bad4/g/c.json", "{\"sentences\": {\"positive\": [\"a\", 3], \"negative\": []}}");
        expertscope::test::expectError([&] { importSelfcondFolder(tmp_.filePath("bad4").toStdString()); }, "sentences.positive contains something other");
        write("bad5/concept_list.csv", "group,concept\n");
        expertscope::test::expectError([&] { importSelfcondFolder(tmp_.filePath("bad5").toStdString()); }, "lists no concepts");
        write("bad6/concept_list.csv", "group,concept\ng,c\n");
        write("bad6/g/c.json", "{\"sentences\": {\"positive\": [\"a\"], \"negative\": [\"b\"]}, \"words\": \"dog\"}");
        expertscope::test::expectError([&] { importSelfcondFolder(tmp_.filePath("bad6").toStdString()); }, "c.json: words is missing or not a list of words");
        // A list naming a path reads nothing outside the folder, though a valid file is there.
        write("outside/c.json", "{\"sentences\": {\"positive\": [\"a\"], \"negative\": [\"b\"]}}");
        write("bad7/concept_list.csv", "group,concept\n../outside,c\n");
        expertscope::test::expectError([&] { importSelfcondFolder(tmp_.filePath("bad7").toStdString()); },
                                       "line 2: group and concept must be names");
    }

    // Our optional "words" beside ml-selfcond's keys: the concept's own words.
    void selfcondFoldersMayNameTheConceptsWords() {
        write("words/concept_list.csv", "group,concept\ng,canine\ng,plain\n");
        write("words/g/canine.json", "{\"sentences\": {\"positive\": [\"a dog\"], \"negative\": [\"rain\"]}, \"words\": [\"dog\", \"sea lion\"]}");
        write("words/g/plain.json", "{\"sentences\": {\"positive\": [\"rain\"], \"negative\": [\"a dog\"]}}");
        const auto set = importSelfcondFolder(tmp_.filePath("words").toStdString());
        QCOMPARE(set.concepts[0].words, (std::vector<std::string>{"dog", "sea lion"}));
        QVERIFY(set.concepts[1].words.empty());
    }

    void tablesAndTextFiles() {
        const auto csv = write("goal.csv", "label,sentence\n1,He scored a goal.\n0,\"She said \"\"hi\"\", then left.\"\npositive,The keeper saved it.\n");
        const auto set = importTable(csv);
        QCOMPARE(set.concepts[0].name, std::string("goal"));
        QCOMPARE(set.concepts[0].positives, (std::vector<std::string>{"He scored a goal.", "The keeper saved it."}));
        QCOMPARE(set.concepts[0].negatives, (std::vector<std::string>{"She said \"hi\", then left."}));
        const auto tsv = write("t.tsv", "pos\tA, with comma.\nneg\tB.\n");
        QCOMPARE(importTable(tsv).concepts[0].positives, (std::vector<std::string>{"A, with comma."}));
        expertscope::test::expectError([&] { importTable(write("x.csv", "1,fine\nmaybe,what\n")); }, "x.csv line 2: expected 'label,sentence'");
        expertscope::test::expectError([&] { importTable(write("enc.csv", "1,caf\xE9\n")); }, "enc.csv line 1: not valid UTF-8");

        const auto p = write("p.txt", "one\n\ntwo\r\n"), n = write("n.txt", "three\n");
        const auto text = importTextFiles(p, n, "numbers");
        QCOMPARE(text.concepts[0].positives, (std::vector<std::string>{"one", "two"}));
        QCOMPARE(text.concepts[0].negatives.size(), size_t(1));
    }

    void corpusConcepts() {
        const std::vector<std::string> corpus{"The ball went in.", "Ballroom dancing.", "BALL games", "A quiet day.",
                                              "Rain again.", "a ball, a bat", "Nothing here."};
        CorpusQuery q;
        q.pattern = "ball";
        const auto c = buildConceptFromCorpus(corpus, q, "ball");
        QCOMPARE(c.positives, (std::vector<std::string>{"The ball went in.", "BALL games", "a ball, a bat"}));
        QCOMPARE(c.negatives.size(), size_t(4));
        q.caseSensitive = true;
        QCOMPARE(buildConceptFromCorpus(corpus, q, "ball").positives.size(), size_t(2));
        q.caseSensitive = false;
        q.wholeWord = false;  // now "Ballroom" too
        QCOMPARE(buildConceptFromCorpus(corpus, q, "ball").positives.size(), size_t(4));
        q.maxNegatives = 2;
        q.seed = 5;
        const auto a = buildConceptFromCorpus(corpus, q, "x"), b = buildConceptFromCorpus(corpus, q, "x");
        QCOMPARE(a.negatives.size(), size_t(2));
        QCOMPARE(a.negatives, b.negatives);
        q.regex = true;
        q.pattern = "ball(";
        expertscope::test::expectError([&] { buildConceptFromCorpus(corpus, q, "x"); }, "invalid pattern");
    }

    void validation() {
        Concept c{"c", "g", "s", {"a b", "a b", "  ", "shared", "one two three four five"}, {"x", "shared", "y"}};
        ValidationOptions o;
        o.maxTokens = 3;
        o.tokenCount = [](const std::string& s) { return int(std::count(s.begin(), s.end(), ' ') + 1); };
        const auto m = validateConcept(c, o);
        QCOMPARE(c.positives, (std::vector<std::string>{"a b"}));
        QCOMPARE(c.negatives, (std::vector<std::string>{"x", "y"}));
        QVERIFY(has(m, "1 duplicate positive sentence(s) dropped", false));
        QVERIFY(has(m, "1 empty positive sentence(s) dropped", false));
        QVERIFY(has(m, "both positive and negative", false));
        QVERIFY(has(m, "1 positive sentence(s) longer than 3 tokens dropped", false));

        Concept t{"t", "g", "s", {"one two three four five"}, {"n"}};
        o.longSentences = LongSentencePolicy::Truncate;
        o.truncate = [](const std::string& s, int n) {
            size_t at = 0;
            for (int i = 0; i < n && at != std::string::npos; ++i) at = s.find(' ', at + 1);
            return s.substr(0, at);
        };
        QVERIFY(has(validateConcept(t, o), "1 positive sentence(s) cut to 3 tokens", false));
        QCOMPARE(t.positives[0], std::string("one two three"));

        Concept empty{"e", "g", "s", {"p"}, {}};
        QVERIFY(has(validateConcept(empty, {}), "no negative sentences", true));
    }
};

QTEST_GUILESS_MAIN(TestConcepts)
#include "tst_concepts.moc"
