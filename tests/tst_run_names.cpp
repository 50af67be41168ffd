// The name tables of the run choices: every value has one name that parses back to it, the
// names are the ones project files and the command line use, and an unknown name is refused
// with the list of the known ones.
#include "core/base/error.h"
#include "core/project/concept_forcing.h"
#include "core/project/run_names.h"
#include "test_support.h"

using namespace expertscope;

class TestRunNames : public QObject {
    Q_OBJECT

    template <typename E>
    static void roundTrips(const std::vector<Choice<E>>& table, const std::string& expectedList) {
        QCOMPARE(choiceList(table), expectedList);
        for (const auto& c : table) {
            QVERIFY(parseChoice(table, c.name, "x") == c.value);
            QCOMPARE(std::string(choiceName(table, c.value)), std::string(c.name));
        }
    }

private slots:
    void everyNameParsesBack() {
        roundTrips(poolingChoices(), "max, mean or selfcond");
        roundTrips(longSentenceChoices(), "drop or truncate");
        roundTrips(forceValueChoices(), "on_p50, on_p90, off_mean, zero or aura");
        roundTrips(forceScopeChoices(), "all or new");
    }

    void unknownNamesAreRefusedWithTheKnownOnes() {
        test::expectError([] { parseChoice(poolingChoices(), "median", "--pooling"); },
                          "--pooling expects max, mean or selfcond, got 'median'");
        test::expectError([] { parseForceValue("on_p95"); },
                          "the forcing value must be on_p50, on_p90, off_mean, zero or aura, not 'on_p95'");
    }
};

QTEST_GUILESS_MAIN(TestRunNames)
#include "tst_run_names.moc"
