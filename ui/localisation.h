#pragma once
// The interface language: English built in, others from Qt Linguist files compiled into
// the application. The choice is kept in the settings and applies to windows made after.
#include <QString>
#include <QStringList>

namespace expertscope {

struct Language {
    QString code, name;  // "de", "Deutsch"
};
QList<Language> availableLanguages();
// Installs the translators for `code` ("en" removes them); false when it has no file.
bool installLanguage(const QString& code);
QString savedLanguage();  // from the settings; the system's when never chosen
void saveLanguage(const QString& code);

}  // namespace expertscope
