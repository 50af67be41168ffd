#pragma once
// Splitting a concept set into N shards for N machines: every concept in exactly one
// shard, the shards' sentence counts as even as a greedy split makes them, and the same
// split for the same set wherever it is computed (it depends only on the concepts' names and
// sizes, not on the ids a project gave them).
#include "core/project/project_store.h"

#include <cstdint>
#include <string>
#include <vector>

namespace expertscope {

struct Shard {
    int index = 1, count = 1;  // 1-based: shard `index` of `count`
    bool whole() const { return count == 1; }
};

// Reads "I/N" (1 <= I <= N <= 100000); throws Error with a message otherwise.
Shard parseShard(const std::string& text);

// The ids of the concepts in `shard`, in the set's order. Largest concept first (sentences,
// then name, unique in a set), each to the shard with the fewest sentences so far (the lowest index on a tie).
std::vector<int64_t> conceptsOfShard(const std::vector<StoredConcept>& concepts, const Shard& shard);

}  // namespace expertscope
