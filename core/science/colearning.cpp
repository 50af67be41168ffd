#include "core/science/colearning.h"

#include "core/base/error.h"

#include <algorithm>
#include <limits>
#include <unordered_set>

namespace expertscope {

CoLearningMatrix coLearning(const std::vector<std::string>& concepts, const std::vector<std::vector<int64_t>>& topUnits, int k) {
    if (k <= 0) throw Error("co-learning: k must be positive");
    if (concepts.size() != topUnits.size()) throw Error("co-learning: one list of experts per concept is needed");
    const size_t n = concepts.size();
    CoLearningMatrix m;
    m.k = k;
    m.concepts = concepts;
    m.overlap.assign(n * n, 0.0);
    std::vector<std::unordered_set<int64_t>> sets(n);
    for (size_t i = 0; i < n; ++i)
        sets[i].insert(topUnits[i].begin(), topUnits[i].begin() + std::min<size_t>(topUnits[i].size(), static_cast<size_t>(k)));
    for (size_t i = 0; i < n; ++i)
        for (size_t j = i; j < n; ++j) {
            size_t shared = 0;
            for (int64_t u : sets[i]) shared += sets[j].count(u);
            m.overlap[i * n + j] = m.overlap[j * n + i] = static_cast<double>(shared) / k;
        }
    std::vector<double> distance(n * n);
    for (size_t i = 0; i < n * n; ++i) distance[i] = 1.0 - m.overlap[i];
    m.order = averageLinkageOrder(distance, n);
    return m;
}

std::vector<int> averageLinkageOrder(const std::vector<double>& distanceIn, size_t n) {
    if (n == 0) return {};
    std::vector<double> d = distanceIn;
    std::vector<int> size(n, 1);
    std::vector<bool> active(n, true);
    std::vector<std::vector<int>> leaves(n);
    for (size_t i = 0; i < n; ++i) leaves[i] = {static_cast<int>(i)};
    std::vector<size_t> chain;
    for (size_t remaining = n; remaining > 1;) {
        if (chain.empty())
            for (size_t i = 0; i < n; ++i)
                if (active[i]) {
                    chain.push_back(i);
                    break;
                }
        const size_t a = chain.back();
        // Nearest active neighbour of a; prefer the previous chain element on ties so the chain ends.
        size_t best = n;
        double bestD = std::numeric_limits<double>::infinity();
        if (chain.size() > 1) {
            best = chain[chain.size() - 2];
            bestD = d[a * n + best];
        }
        for (size_t j = 0; j < n; ++j)
            if (active[j] && j != a && d[a * n + j] < bestD) {
                bestD = d[a * n + j];
                best = j;
            }
        if (chain.size() > 1 && best == chain[chain.size() - 2]) {
            // Reciprocal nearest neighbours: merge b into a (Lance-Williams, average linkage).
            chain.pop_back();
            chain.pop_back();
            const size_t b = best;
            for (size_t j = 0; j < n; ++j)
                if (active[j] && j != a && j != b) {
                    const double merged = (size[a] * d[a * n + j] + size[b] * d[b * n + j]) / (size[a] + size[b]);
                    d[a * n + j] = d[j * n + a] = merged;
                }
            size[a] += size[b];
            active[b] = false;
            leaves[a].insert(leaves[a].end(), leaves[b].begin(), leaves[b].end());
            leaves[b].clear();
            --remaining;
        } else {
            chain.push_back(best);
        }
    }
    for (size_t i = 0; i < n; ++i)
        if (active[i]) return leaves[i];
    return {};
}

std::vector<size_t> closestConcepts(const CoLearningMatrix& m, size_t i) {
    std::vector<size_t> others;
    for (size_t j = 0; j < m.concepts.size(); ++j)
        if (j != i) others.push_back(j);
    std::stable_sort(others.begin(), others.end(), [&](size_t a, size_t b) { return m.at(i, a) > m.at(i, b); });
    return others;
}

}  // namespace expertscope
