#include "core/base/json_file.h"

#include "core/base/error.h"

#include <QFile>
#include <QJsonDocument>

#include <cmath>

namespace expertscope {

JsonFile::JsonFile(const std::string& path) : path_(path) {
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly)) throw Error(path + ": cannot read (" + file.errorString().toStdString() + ")");
    QJsonParseError err{};
    const auto doc = QJsonDocument::fromJson(file.readAll(), &err);
    if (err.error != QJsonParseError::NoError)
        throw Error(path + ": invalid JSON (" + err.errorString().toStdString() + " at offset " + std::to_string(err.offset) + ")");
    if (!doc.isObject()) throw Error(path + ": expected a JSON object");
    object_ = doc.object();
}

bool JsonFile::has(const char* key) const {
    return object_.contains(QLatin1String(key)) && !object_.value(QLatin1String(key)).isNull();
}

int JsonFile::requireInt(const char* key) const {
    const auto v = object_.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull()) throw Error(path_ + ": missing '" + key + "'");
    const double d = v.toDouble(-1);
    if (!v.isDouble() || d <= 0 || d != std::floor(d) || d > 2147483647.0)
        throw Error(path_ + ": '" + key + "' must be a positive integer");
    return static_cast<int>(d);
}

int JsonFile::optionalInt(const char* key, int fallback) const {
    if (!has(key)) return fallback;
    const auto v = object_.value(QLatin1String(key));
    const double d = v.toDouble();
    if (!v.isDouble() || d != std::floor(d) || std::fabs(d) > 2147483647.0)
        throw Error(path_ + ": '" + key + "' must be an integer");
    return static_cast<int>(d);
}

double JsonFile::optionalNumber(const char* key, double fallback) const {
    if (!has(key)) return fallback;
    const auto v = object_.value(QLatin1String(key));
    if (!v.isDouble()) throw Error(path_ + ": '" + key + "' must be a number");
    return v.toDouble();
}

bool JsonFile::optionalBool(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    const auto v = object_.value(QLatin1String(key));
    if (!v.isBool()) throw Error(path_ + ": '" + key + "' must be true or false");
    return v.toBool();
}

std::string JsonFile::optionalString(const char* key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    const auto v = object_.value(QLatin1String(key));
    if (!v.isString()) throw Error(path_ + ": '" + key + "' must be a string");
    return v.toString().toStdString();
}

}  // namespace expertscope
