#include "ui/app_settings.h"

#include "core/project/run_names.h"

#include <QSettings>

#include <algorithm>
#include <cmath>

namespace expertscope {
namespace {

// The keys, as earlier versions wrote them (settings carry over).
const char* const kLanguage = "language";
const char* const kRecent = "recentProjects";
const char* const kGeometry = "window/geometry";
const char* const kState = "window/state";
const char* const kSplitters = "splitters/";
const char* const kThreshold = "view/threshold";
const char* const kColourMap = "view/colourMap";
const char* const kCoLearningK = "view/colearningK";
const char* const kDpi = "export/dpi";
const char* const kFigureData = "export/withData";
const char* const kThreads = "analysis/threads";
const char* const kPooling = "analysis/pooling";
const char* const kSequenceLength = "analysis/sequenceLength";
const char* const kTruncate = "analysis/truncate";

constexpr int kDefaultDpi = 300;

// A choice kept by name; an unknown name, or an index as older versions stored it, still
// reads sensibly.
template <typename E>
E storedChoice(const QSettings& s, const char* key, const std::vector<Choice<E>>& table, E fallback) {
    const QString text = s.value(key).toString();
    bool isIndex = false;
    const int index = text.toInt(&isIndex);
    if (isIndex) return index >= 0 && index < static_cast<int>(table.size()) ? table[static_cast<size_t>(index)].value : fallback;
    for (const auto& c : table)
        if (text == QLatin1String(c.name)) return c.value;
    return fallback;
}

}  // namespace

QString AppSettings::language() { return QSettings().value(kLanguage).toString(); }
void AppSettings::setLanguage(const QString& code) { QSettings().setValue(kLanguage, code); }

QStringList AppSettings::recentProjects() { return QSettings().value(kRecent).toStringList(); }

void AppSettings::addRecentProject(const QString& path) {
    QStringList recent = recentProjects();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kRecentProjects) recent.removeLast();
    QSettings().setValue(kRecent, recent);
}

QByteArray AppSettings::windowGeometry() { return QSettings().value(kGeometry).toByteArray(); }
QByteArray AppSettings::windowState() { return QSettings().value(kState).toByteArray(); }
QByteArray AppSettings::splitterState(const QString& splitter) { return QSettings().value(kSplitters + splitter).toByteArray(); }

void AppSettings::setWindowLayout(const QByteArray& geometry, const QByteArray& state) {
    QSettings s;
    s.setValue(kGeometry, geometry);
    s.setValue(kState, state);
}

void AppSettings::setSplitterState(const QString& splitter, const QByteArray& state) { QSettings().setValue(kSplitters + splitter, state); }

// Values read back from the settings file are checked: the file is the user's to edit, and a
// NaN threshold or a zero k would pass into every view.
namespace {
double storedNumber(const char* key, double fallback, double min, double max) {
    bool ok = false;
    const double v = QSettings().value(key, fallback).toDouble(&ok);
    return ok && std::isfinite(v) && v >= min && v <= max ? v : fallback;
}
}  // namespace

double AppSettings::expertThreshold() { return storedNumber(kThreshold, kDefaultExpertThreshold, 0, 1); }
void AppSettings::setExpertThreshold(double ap) { QSettings().setValue(kThreshold, ap); }
int AppSettings::colourMap() { return QSettings().value(kColourMap, 0).toInt(); }
void AppSettings::setColourMap(int index) { QSettings().setValue(kColourMap, index); }
int AppSettings::coLearningK() { return static_cast<int>(storedNumber(kCoLearningK, kDefaultCoLearningK, 1, 1000)); }
void AppSettings::setCoLearningK(int k) { QSettings().setValue(kCoLearningK, k); }
int AppSettings::exportDpi() { return static_cast<int>(storedNumber(kDpi, kDefaultDpi, 72, 1200)); }
void AppSettings::setExportDpi(int dpi) { QSettings().setValue(kDpi, dpi); }
bool AppSettings::exportFigureData() { return QSettings().value(kFigureData, true).toBool(); }
void AppSettings::setExportFigureData(bool on) { QSettings().setValue(kFigureData, on); }

RunSettings AppSettings::analysis(RunSettings base) {
    const QSettings s;
    base.workers = std::max(0, s.value(kThreads, 0).toInt());
    base.pooling = storedChoice(s, kPooling, poolingChoices(), Pooling::Max);
    base.sequenceLength = std::max(0, s.value(kSequenceLength, 0).toInt());
    base.longSentences = s.value(kTruncate, false).toBool() ? LongSentencePolicy::Truncate : LongSentencePolicy::Drop;
    return base;
}

void AppSettings::setAnalysis(const RunSettings& run) {
    QSettings s;
    s.setValue(kThreads, run.workers);
    s.setValue(kPooling, QString::fromLatin1(choiceName(poolingChoices(), run.pooling)));
    s.setValue(kSequenceLength, run.sequenceLength);
    s.setValue(kTruncate, run.longSentences == LongSentencePolicy::Truncate);
}

}  // namespace expertscope
