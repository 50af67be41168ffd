#pragma once
// Concept co-learning (the paper's section on concept overlap; not in ml-selfcond's code):
// how many of their top-k experts two concepts share, |top-k(i) n top-k(j)| / k, and an
// order of the concepts by hierarchical clustering so that related ones sit together.
#include <cstdint>
#include <string>
#include <vector>

namespace expertscope {

struct CoLearningMatrix {
    int k = 0;
    std::vector<std::string> concepts;
    std::vector<double> overlap;  // row-major, concepts x concepts; 1 on the diagonal
    std::vector<int> order;       // display order: leaves of the clustering tree
    double at(size_t i, size_t j) const { return overlap[i * concepts.size() + j]; }
};

// topUnits[c]: concept c's experts by decreasing AP (at least k of them are used when present).
CoLearningMatrix coLearning(const std::vector<std::string>& concepts, const std::vector<std::vector<int64_t>>& topUnits, int k);

// The other concepts by decreasing overlap with concept i (ties in matrix order): what an
// unknown concept resembles, what a concept is learnt with.
std::vector<size_t> closestConcepts(const CoLearningMatrix& m, size_t i);

// Leaf order of average-linkage agglomerative clustering of a symmetric distance matrix
// (nearest-neighbour chain, O(n^2) memory and time per level).
std::vector<int> averageLinkageOrder(const std::vector<double>& distance, size_t n);

}  // namespace expertscope
