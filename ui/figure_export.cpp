#include "ui/figure_export.h"

#include "ui/app_settings.h"

#include <QAbstractBarSeries>
#include <QAbstractItemModel>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QGuiApplication>
#include <QImage>
#include <QJsonDocument>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTextStream>
#include <QXYSeries>

namespace expertscope {

namespace {
// Draws the figure onto an SVG or PDF device writing `path`; empty or the error.
QString paintVector(const Figure& figure, QPaintDevice& device, QSize size, const QString& path) {
    QPainter p;
    if (!p.begin(&device)) return QObject::tr("Cannot write %1").arg(path);
    figure.renderFigure(p, QRect(QPoint(0, 0), size));
    p.end();
    return QFileInfo(path).size() > 0 ? QString() : QObject::tr("Cannot write %1").arg(path);
}

// The figure as an image `scale` times its size in points, on white.
QImage paintImage(const Figure& figure, QSize size, double scale) {
    QImage image(size * scale, QImage::Format_ARGB32);
    image.fill(Qt::white);
    {
        QPainter p(&image);
        p.setRenderHint(QPainter::Antialiasing);
        p.scale(scale, scale);
        figure.renderFigure(p, QRect(QPoint(0, 0), size));
    }
    return image;
}
}  // namespace

QString exportFigure(const Figure& figure, const QString& path, QSize size, int dpi) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == "png") {
        QImage image = paintImage(figure, size, dpi / 72.0);
        image.setDotsPerMeterX(static_cast<int>(dpi / 0.0254));
        image.setDotsPerMeterY(static_cast<int>(dpi / 0.0254));
        if (!image.save(path, "PNG")) return QObject::tr("Cannot write %1").arg(path);
        return {};
    }
    if (suffix == "svg") {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setResolution(72);
        svg.setTitle(figure.figureName());
        svg.setDescription(QStringLiteral("Expertscope"));
        return paintVector(figure, svg, size, path);
    }
    if (suffix == "pdf") {
        QPdfWriter pdf(path);
        pdf.setResolution(72);
        pdf.setPageSize(QPageSize(QSizeF(size), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setTitle(figure.figureName());
        pdf.setCreator(QStringLiteral("Expertscope"));
        return paintVector(figure, pdf, size, path);
    }
    return QObject::tr("Unknown image format '%1': use .png, .svg or .pdf").arg(suffix);
}

void copyFigure(const Figure& figure, QSize size) { QGuiApplication::clipboard()->setImage(paintImage(figure, size, 2)); }

namespace {
QString csvField(QString s) {
    if (s.contains(',') || s.contains('"') || s.contains('\n')) s = '"' + s.replace('"', "\"\"") + '"';
    return s;
}
}  // namespace

namespace {
std::function<QJsonObject()>& contextProvider() {
    static std::function<QJsonObject()> provider;
    return provider;
}
}  // namespace

void setFigureContextProvider(std::function<QJsonObject()> provider) { contextProvider() = std::move(provider); }
QJsonObject figureContext() { return contextProvider() ? contextProvider()() : QJsonObject{}; }

QString exportFigureData(const Figure& figure, const QString& figurePath, const QJsonObject& context) {
    const QFileInfo fi(figurePath);
    const QString base = fi.dir().filePath(fi.completeBaseName());
    const Figure::Data data = figure.figureData();
    if (!data.header.isEmpty()) {
        QSaveFile csv(base + ".csv");
        if (!csv.open(QIODevice::WriteOnly | QIODevice::Text)) return QObject::tr("Cannot write %1").arg(base + ".csv");
        QTextStream out(&csv);
        QStringList row;
        for (const auto& h : data.header) row << csvField(h);
        out << row.join(',') << '\n';
        for (const auto& r : data.rows) {
            row.clear();
            for (const auto& v : r) row << csvField(v);
            out << row.join(',') << '\n';
        }
        out.flush();
        if (!csv.commit()) return QObject::tr("Cannot write %1").arg(base + ".csv");
    }
    QJsonObject manifest = context;
    manifest["figure"] = fi.fileName();
    manifest["figure_name"] = figure.figureName();
    if (!data.header.isEmpty()) manifest["data"] = QFileInfo(base + ".csv").fileName();
    manifest["application"] = QStringLiteral("Expertscope");
    manifest["application_version"] = QCoreApplication::applicationVersion();
    manifest["date"] = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    QSaveFile json(base + ".json");
    if (!json.open(QIODevice::WriteOnly) || json.write(QJsonDocument(manifest).toJson(QJsonDocument::Indented)) < 0 || !json.commit())
        return QObject::tr("Cannot write %1").arg(base + ".json");
    return {};
}

Figure::Data SceneFigure::figureData() const {
    Data d;
    const auto* view = qobject_cast<const QChartView*>(view_);
    if (!view || !view->chart()) return d;
    d.header = QStringList{"series", "x", "y"};
    for (auto* series : view->chart()->series()) {
        if (auto* xy = qobject_cast<QXYSeries*>(series)) {
            for (const QPointF& p : xy->points()) d.rows.push_back({series->name(), QString::number(p.x(), 'g', 10), QString::number(p.y(), 'g', 10)});
        } else if (auto* bars = qobject_cast<QAbstractBarSeries*>(series)) {
            for (auto* set : bars->barSets())
                for (int i = 0; i < set->count(); ++i) d.rows.push_back({set->label(), QString::number(i), QString::number(set->at(i), 'g', 10)});
        }
    }
    return d;
}

QString exportCsv(const QAbstractItemModel& model, const QString& path) {
    QSaveFile file(path);  // all or nothing: a failed export leaves no half file
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) return QObject::tr("Cannot write %1").arg(path);
    QTextStream out(&file);
    QStringList row;
    for (int c = 0; c < model.columnCount(); ++c) row << csvField(model.headerData(c, Qt::Horizontal).toString());
    out << row.join(',') << '\n';
    for (int r = 0; r < model.rowCount(); ++r) {
        row.clear();
        for (int c = 0; c < model.columnCount(); ++c) {
            const QVariant v = model.data(model.index(r, c), Qt::EditRole);
            row << csvField(v.typeId() == QMetaType::Double ? QString::number(v.toDouble(), 'g', 10) : v.toString());
        }
        out << row.join(',') << '\n';
    }
    out.flush();
    return file.commit() ? QString() : QObject::tr("Cannot write %1").arg(path);
}

void addFigureMenu(QWidget* widget, const Figure* figure) {
    widget->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(widget, &QWidget::customContextMenuRequested, widget, [widget, figure](const QPoint& at) {
        QMenu menu(widget);
        menu.addAction(QObject::tr("Export figure…"), widget, [widget, figure] {
            const QString path = QFileDialog::getSaveFileName(widget, QObject::tr("Export figure"), figure->figureName() + ".png",
                                                              QObject::tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"));
            if (path.isEmpty()) return;
            QString error = exportFigure(*figure, path, widget->size(), 300);
            if (error.isEmpty() && AppSettings::exportFigureData()) error = exportFigureData(*figure, path, figureContext());
            if (!error.isEmpty()) QMessageBox::warning(widget, QObject::tr("Export failed"), error);
        });
        menu.addAction(QObject::tr("Copy figure"), widget, [widget, figure] { copyFigure(*figure, widget->size()); });
        menu.exec(widget->mapToGlobal(at));
    });
}

void SceneFigure::renderFigure(QPainter& painter, const QRect& area) const {
    painter.fillRect(area, Qt::white);
    if (view_ && view_->scene()) view_->scene()->render(&painter, QRectF(area), view_->sceneRect(), Qt::KeepAspectRatio);
}

}  // namespace expertscope
