#pragma once
// Everything the application keeps between sessions, each key and its default written
// once here (Qt's settings store, under the organisation and application names main()
// sets). Choices are kept by their names in core's tables, never by combo index.
#include "core/project/project_store.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace expertscope {

class AppSettings {
public:
    // Interface language code ("de"); empty when never chosen.
    static QString language();
    static void setLanguage(const QString& code);

    // Most recent first, at most kRecentProjects.
    static QStringList recentProjects();
    static void addRecentProject(const QString& path);
    static constexpr int kRecentProjects = 8;

    // Window layout: geometry, docks and toolbars, and each named splitter.
    static QByteArray windowGeometry();
    static QByteArray windowState();
    static QByteArray splitterState(const QString& splitter);
    static void setWindowLayout(const QByteArray& geometry, const QByteArray& state);
    static void setSplitterState(const QString& splitter, const QByteArray& state);

    // Views.
    static double expertThreshold();  // the heatmap's threshold, kDefaultExpertThreshold at first
    static void setExpertThreshold(double ap);
    static int colourMap();  // index into ColourMap::names()
    static void setColourMap(int index);
    static int coLearningK();
    static void setCoLearningK(int k);
    static int exportDpi();
    static void setExportDpi(int dpi);
    // Whether figure exports also write the plotted numbers (CSV) and a manifest (JSON).
    static bool exportFigureData();
    static void setExportFigureData(bool on);

    // Settings of new GUI analyses (and preferred among stored runs), over `base`.
    static RunSettings analysis(RunSettings base);
    static void setAnalysis(const RunSettings& run);
};

}  // namespace expertscope
