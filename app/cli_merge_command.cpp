// expertscope-cli merge: shard projects (analyse --shard) into one.
#include "app/cli_command_list.h"

#include "core/base/error.h"
#include "core/project/project_merge.h"

#include "app/cli_options.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <ostream>

namespace expertscope::cli {

int mergeCommand(const std::vector<std::string>& argsIn, std::ostream& out) {
    std::vector<std::string> rest;
    const bool json = flag(argsIn, "--json", &rest);
    // The inputs are the words after the options: merge --out P A B C.
    std::vector<std::string> options{rest.front()}, inputs;
    for (size_t i = 1; i < rest.size(); ++i) {
        if (rest[i].rfind("--", 0) == 0) {
            options.push_back(rest[i]);
            if (i + 1 < rest.size()) options.push_back(rest[++i]);
        } else {
            inputs.push_back(rest[i]);
        }
    }
    const Options o(options, {"out"});
    const std::string target = o.required("out");
    if (inputs.empty()) throw Error("name the projects to merge after --out FILE");
    const MergeSummary s = mergeProjects(target, inputs);
    if (json) {
        QJsonArray missing, refused, notes;
        for (const auto& m : s.missing) missing.append(QString::fromStdString(m));
        for (const auto& [name, why] : s.refused)
            refused.append(QJsonObject{{"concept", QString::fromStdString(name)}, {"message", QString::fromStdString(why)}});
        for (const auto& n : s.notes) notes.append(QString::fromStdString(n));
        out << QJsonDocument(QJsonObject{{"out", QString::fromStdString(target)},
                                         {"inputs", s.inputs},
                                         {"concepts", s.concepts},
                                         {"with_results", s.withResults},
                                         {"missing", missing},
                                         {"refused", refused},
                                         {"notes", notes}})
                   .toJson(QJsonDocument::Indented)
                   .toStdString();
    } else {
        out << target << ": " << s.withResults << " of " << s.concepts << " concepts from " << s.inputs << " projects\n";
        for (const auto& [name, why] : s.refused) out << "refused " << name << ": " << why << "\n";
        if (!s.missing.empty()) {
            out << "missing (no project has them; analyse their shards again, then merge):";
            for (const auto& m : s.missing) out << " " << m;
            out << "\n";
        }
        for (const auto& n : s.notes) out << "note: " << n << "\n";
    }
    // As analyse: 1 while any concept has no results, refused ones included.
    return s.missing.empty() && s.refused.empty() ? 0 : 1;
}

}  // namespace expertscope::cli
