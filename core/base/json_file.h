#pragma once
// Reading JSON configuration files with errors that name the file and the field.
#include <QJsonObject>

#include <string>

namespace expertscope {

class JsonFile {
public:
    explicit JsonFile(const std::string& path);  // throws Error: unreadable, invalid, not an object
    const QJsonObject& object() const { return object_; }
    const std::string& path() const { return path_; }

    bool has(const char* key) const;
    int requireInt(const char* key) const;  // a positive integer
    int optionalInt(const char* key, int fallback) const;
    double optionalNumber(const char* key, double fallback) const;
    bool optionalBool(const char* key, bool fallback) const;
    std::string optionalString(const char* key, const std::string& fallback) const;

private:
    std::string path_;
    QJsonObject object_;
};

}  // namespace expertscope
