#include "core/project/shards.h"

#include "core/base/error.h"

#include <algorithm>
#include <numeric>
#include <set>

namespace expertscope {

Shard parseShard(const std::string& text) {
    const auto slash = text.find('/');
    const auto number = [&](const std::string& part) {
        if (part.empty() || part.size() > 6 || !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return -1;
        return std::stoi(part);
    };
    const int i = slash == std::string::npos ? -1 : number(text.substr(0, slash));
    const int n = slash == std::string::npos ? -1 : number(text.substr(slash + 1));
    if (i < 1 || n < 1 || i > n || n > 100000)
        throw Error("--shard " + text + ": expected I/N with 1 <= I <= N (shard I of N, e.g. 3/8)");
    return {i, n};
}

std::vector<int64_t> conceptsOfShard(const std::vector<StoredConcept>& concepts, const Shard& shard) {
    std::vector<size_t> order(concepts.size());
    std::iota(order.begin(), order.end(), size_t{0});
    const auto size = [&](size_t i) { return int64_t{concepts[i].positives} + concepts[i].negatives; };
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return size(a) != size(b) ? size(a) > size(b) : concepts[a].name < concepts[b].name;
    });
    // (sentences so far, shard index): the first element is where the next concept goes.
    std::set<std::pair<int64_t, int>> load;
    for (int s = 1; s <= shard.count; ++s) load.emplace(0, s);
    std::set<int64_t> mine;
    for (size_t i : order) {
        auto lightest = *load.begin();
        load.erase(load.begin());
        if (lightest.second == shard.index) mine.insert(concepts[i].id);
        lightest.first += size(i);
        load.insert(lightest);
    }
    std::vector<int64_t> out;
    for (const auto& c : concepts)
        if (mine.count(c.id)) out.push_back(c.id);
    return out;
}

}  // namespace expertscope
