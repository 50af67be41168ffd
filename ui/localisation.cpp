#include "ui/localisation.h"

#include "ui/app_settings.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include <memory>

namespace expertscope {
namespace {
std::unique_ptr<QTranslator> own, qt;
}

QList<Language> availableLanguages() { return {{"en", QStringLiteral("English")}, {"de", QStringLiteral("Deutsch")}}; }

bool installLanguage(const QString& code) {
    if (own) QCoreApplication::removeTranslator(own.get());
    if (qt) QCoreApplication::removeTranslator(qt.get());
    own.reset();
    qt.reset();
    if (code == "en") return true;
    auto t = std::make_unique<QTranslator>();
    // An installed catalogue first (<prefix>/share/expertscope/translations: a corrected
    // translation needs no rebuild), else the one compiled in.
    const QString installed = QCoreApplication::applicationDirPath() + QStringLiteral("/../share/expertscope/translations");
    if (!t->load(QStringLiteral("expertscope_%1").arg(code), installed) && !t->load(QStringLiteral(":/i18n/expertscope_%1.qm").arg(code)))
        return false;
    QCoreApplication::installTranslator(t.get());
    own = std::move(t);
    // Qt's own strings (standard buttons, dialogs), when Qt's translations are installed.
    auto q = std::make_unique<QTranslator>();
    if (q->load(QLocale(code), QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(q.get());
        qt = std::move(q);
    }
    return true;
}

QString savedLanguage() {
    const QString saved = AppSettings::language();
    if (!saved.isEmpty()) return saved;
    const QString system = QLocale::system().name().left(2);
    for (const auto& l : availableLanguages())
        if (l.code == system) return system;
    return QStringLiteral("en");
}

void saveLanguage(const QString& code) { AppSettings::setLanguage(code); }

}  // namespace expertscope
