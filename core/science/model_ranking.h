#pragma once
// The paper's model ranking (Suau et al. 2020, "Finding Experts in Transformer Models"): how
// well the number of experts a model has predicts how well it performs, across models. Per
// AP threshold t of ml-selfcond's grid, every model's experts (units with AP >= t, summed
// over one concept set shared by all models) are correlated with the models' scores:
// Pearson's r^2 and Spearman's rho, each with a percentile bootstrap confidence interval
// over resamples of the models.
//
// Primary is the raw number of experts, as the paper reports it; the same statistics on
// experts per unit (the number divided by the model's units) are reported beside it.
// Pure arithmetic: no Qt, no project file (core/project/model_ranking_projects.h reads those).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace expertscope {

// ml-selfcond's thresholds: 0.5 + i / 1000 for i = 0..500 (0.5 and 1.0 exact).
std::vector<double> selfcondThresholdGrid();

// For each threshold of `grid` (ascending), how many of `ap` are >= it; NaN is never an
// expert. Sorts once and walks the grid with one pointer: O(units log units + grid).
std::vector<int64_t> expertCountsOnGrid(const std::vector<double>& ap, const std::vector<double>& grid);
// The same summed over concepts, one AP vector each: a model's count for the ranking.
std::vector<int64_t> totalExpertCounts(const std::vector<std::vector<double>>& apPerConcept, const std::vector<double>& grid);

// Pearson's r^2 and Spearman's rho (Pearson on average ranks, ties sharing their mean rank)
// of two equal-length columns. Empty, never NaN, when either column is constant or holds
// fewer than two values: a correlation with no variation is undefined.
std::optional<double> pearsonR2(const std::vector<double>& x, const std::vector<double>& y);
std::optional<double> spearmanRho(const std::vector<double>& x, const std::vector<double>& y);
// 1-based ranks, tied values getting the mean of the ranks they span (scipy's "average").
std::vector<double> averageRanks(const std::vector<double>& values);

struct BootstrapOptions {
    int resamples = 2000;
    double level = 0.95;  // central interval: the (1-level)/2 and (1+level)/2 quantiles
    uint64_t seed = 20200701;
};

struct Interval {
    double low = 0, high = 0;
};

// A statistic on all the data, and its percentile bootstrap interval: resamples of the rows
// drawn with replacement (index = mt19937_64() % n, so the draws do not depend on the
// standard library's distributions), quantiles by linear interpolation between the sorted
// values (numpy's default). Resamples where the statistic is undefined are skipped and
// counted; no resample defined: no interval.
struct Estimate {
    std::optional<double> value;
    std::optional<Interval> interval;
    int resamplesUsed = 0, resamplesSkipped = 0;
};

using PairStatistic = std::function<std::optional<double>(const std::vector<double>&, const std::vector<double>&)>;

// The row indices of every resample of n rows, from the options' seed.
std::vector<std::vector<size_t>> drawResamples(size_t n, const BootstrapOptions& options);
// `statistic` on x, y and on each of the given resamples.
Estimate bootstrapEstimate(const std::vector<double>& x, const std::vector<double>& y, const PairStatistic& statistic,
                           const std::vector<std::vector<size_t>>& resamples, double level);
// Both in one: resamples drawn from the options.
Estimate bootstrapEstimate(const std::vector<double>& x, const std::vector<double>& y, const PairStatistic& statistic,
                           const BootstrapOptions& options);

// One model: its score, its units, and its experts at each threshold of the ranking's grid.
struct ModelCounts {
    std::string name;
    double score = 0;
    int64_t units = 0;
    std::vector<int64_t> experts;  // one per threshold of RankingOptions::thresholds
};

struct RankingOptions {
    std::vector<double> thresholds = selfcondThresholdGrid();  // ascending
    // false for a loss or a perplexity: the score is negated before correlating, so a
    // positive rho still means "more experts, better model" (r^2 does not change).
    bool higherIsBetter = true;
    BootstrapOptions bootstrap;
};

// r^2 and rho between the (oriented) scores and one column of the models.
struct Association {
    Estimate r2, rho;
};

struct ThresholdRanking {
    double threshold = 0;
    std::vector<int64_t> experts;  // per model, in the order given
    std::vector<double> share;     // experts / units per model (over all concepts, so it may exceed 1)
    Association byExperts;         // primary: the paper's number of experts
    Association byShare;
};

struct ModelRanking {
    std::vector<std::string> models;
    std::vector<double> scores;  // as given
    std::vector<int64_t> units;
    bool scoreNegated = false;   // !higherIsBetter: -score was correlated
    BootstrapOptions bootstrap;
    std::vector<ThresholdRanking> thresholds;
    // The threshold with the highest defined r^2 by the number of experts (ties: the lowest
    // threshold); empty when r^2 is undefined everywhere. Reported only: nothing else uses it.
    std::optional<size_t> best;
};

// Every threshold's ranking. The same resamples of the models serve every threshold and
// statistic (common random numbers: thresholds differ by their counts, not by their draws).
// Throws Error for fewer than 3 models, a count list not matching the grid, a model
// without units, a non-finite score or a repeated name.
ModelRanking rankModels(const std::vector<ModelCounts>& models, const RankingOptions& options);

}  // namespace expertscope
