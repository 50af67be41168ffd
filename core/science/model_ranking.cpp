#include "core/science/model_ranking.h"

#include "core/base/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

namespace expertscope {
namespace {

bool isConstant(const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); });
}

// Centred sums of products, or empty when a correlation is undefined. The constant test is
// exact: a column of equal values whose mean rounds off them would otherwise give a tiny
// variance and a meaningless r.
struct CrossProducts {
    double sxy, sxx, syy;
};
std::optional<CrossProducts> crossProducts(const std::vector<double>& x, const std::vector<double>& y) {
    if (x.size() != y.size()) throw Error("correlation of columns of different lengths (" + std::to_string(x.size()) + " and " +
                                          std::to_string(y.size()) + ")");
    if (x.size() < 2 || isConstant(x) || isConstant(y)) return std::nullopt;
    const double n = static_cast<double>(x.size());
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n, my = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        const double dx = x[i] - mx, dy = y[i] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if (sxx <= 0 || syy <= 0) return std::nullopt;
    return CrossProducts{sxy, sxx, syy};
}

std::optional<double> pearsonR(const std::vector<double>& x, const std::vector<double>& y) {
    const auto s = crossProducts(x, y);
    if (!s) return std::nullopt;
    return std::clamp(s->sxy / std::sqrt(s->sxx * s->syy), -1.0, 1.0);
}

// The p-quantile of sorted values, linear between neighbours (numpy's default).
double quantile(const std::vector<double>& sorted, double p) {
    const double position = p * static_cast<double>(sorted.size() - 1);
    const size_t below = static_cast<size_t>(std::floor(position));
    if (below + 1 >= sorted.size()) return sorted.back();
    const double fraction = position - static_cast<double>(below);
    return sorted[below] + (sorted[below + 1] - sorted[below]) * fraction;
}

Estimate summarise(std::optional<double> value, std::vector<double> samples, int skipped, double level) {
    Estimate e;
    e.value = value;
    e.resamplesUsed = static_cast<int>(samples.size());
    e.resamplesSkipped = skipped;
    if (!samples.empty()) {
        std::sort(samples.begin(), samples.end());
        e.interval = Interval{quantile(samples, (1 - level) / 2), quantile(samples, (1 + level) / 2)};
    }
    return e;
}

std::vector<double> gather(const std::vector<double>& column, const std::vector<size_t>& rows) {
    std::vector<double> out(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) out[i] = column[rows[i]];
    return out;
}

void checkOptions(const BootstrapOptions& o) {
    if (o.resamples < 1) throw Error("the bootstrap needs at least 1 resample, got " + std::to_string(o.resamples));
    if (!(o.level > 0 && o.level < 1)) throw Error("the confidence level must lie between 0 and 1, got " + std::to_string(o.level));
}

// The scores as every resample sees them, computed once for all thresholds.
struct ResampledScores {
    std::vector<std::vector<double>> values, ranks;
};

// r^2 and rho of one column against the scores, with their intervals.
Association associate(const std::vector<double>& scores, const std::vector<double>& column,
                      const std::vector<std::vector<size_t>>& resamples, const ResampledScores& resampled, double level) {
    std::vector<double> r2Samples, rhoSamples;
    int r2Skipped = 0, rhoSkipped = 0;
    for (size_t k = 0; k < resamples.size(); ++k) {
        const auto c = gather(column, resamples[k]);
        if (const auto r2 = pearsonR2(resampled.values[k], c)) r2Samples.push_back(*r2);
        else ++r2Skipped;
        if (const auto rho = pearsonR(resampled.ranks[k], averageRanks(c))) rhoSamples.push_back(*rho);
        else ++rhoSkipped;
    }
    return {summarise(pearsonR2(scores, column), std::move(r2Samples), r2Skipped, level),
            summarise(spearmanRho(scores, column), std::move(rhoSamples), rhoSkipped, level)};
}

void checkModels(const std::vector<ModelCounts>& models, const RankingOptions& options) {
    if (models.size() < 3)
        throw Error("ranking models needs at least 3 models (a correlation across fewer says nothing), got " +
                    std::to_string(models.size()));
    if (options.thresholds.empty()) throw Error("ranking models needs at least one threshold");
    std::set<std::string> names;
    for (const auto& m : models) {
        if (!names.insert(m.name).second) throw Error("model '" + m.name + "' is named twice; each model must have its own name");
        if (m.units <= 0) throw Error("model '" + m.name + "' has no units");
        if (!std::isfinite(m.score)) throw Error("model '" + m.name + "' has no finite score");
        if (m.experts.size() != options.thresholds.size())
            throw Error("model '" + m.name + "' has expert counts for " + std::to_string(m.experts.size()) + " thresholds, the grid has " +
                        std::to_string(options.thresholds.size()));
    }
}

}  // namespace

std::vector<double> selfcondThresholdGrid() {
    std::vector<double> grid(501);
    for (size_t i = 0; i < grid.size(); ++i) grid[i] = 0.5 + static_cast<double>(i) / 1000.0;
    return grid;
}

std::vector<int64_t> expertCountsOnGrid(const std::vector<double>& ap, const std::vector<double>& grid) {
    if (!std::is_sorted(grid.begin(), grid.end())) throw Error("the AP thresholds must be in ascending order");
    std::vector<double> sorted;
    sorted.reserve(ap.size());
    std::copy_if(ap.begin(), ap.end(), std::back_inserter(sorted), [](double v) { return !std::isnan(v); });
    std::sort(sorted.begin(), sorted.end());
    std::vector<int64_t> counts(grid.size());
    size_t below = 0;  // APs under the current threshold: they stay under every later one
    for (size_t i = 0; i < grid.size(); ++i) {
        while (below < sorted.size() && sorted[below] < grid[i]) ++below;
        counts[i] = static_cast<int64_t>(sorted.size() - below);
    }
    return counts;
}

std::vector<int64_t> totalExpertCounts(const std::vector<std::vector<double>>& apPerConcept, const std::vector<double>& grid) {
    std::vector<int64_t> total(grid.size(), 0);
    for (const auto& ap : apPerConcept) {
        const auto counts = expertCountsOnGrid(ap, grid);
        for (size_t i = 0; i < total.size(); ++i) total[i] += counts[i];
    }
    return total;
}

// sxy^2 / (sxx syy) rather than r squared: one rounding fewer, so 9 / 25 is 0.36 exactly.
std::optional<double> pearsonR2(const std::vector<double>& x, const std::vector<double>& y) {
    const auto s = crossProducts(x, y);
    if (!s) return std::nullopt;
    return std::min(1.0, s->sxy * s->sxy / (s->sxx * s->syy));
}

std::optional<double> spearmanRho(const std::vector<double>& x, const std::vector<double>& y) {
    if (x.size() != y.size()) return pearsonR(x, y);  // throws, naming the lengths
    return pearsonR(averageRanks(x), averageRanks(y));
}

std::vector<double> averageRanks(const std::vector<double>& values) {
    std::vector<size_t> order(values.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
    std::vector<double> ranks(values.size());
    for (size_t first = 0; first < order.size();) {
        size_t last = first;  // [first, last] hold one value
        while (last + 1 < order.size() && values[order[last + 1]] == values[order[first]]) ++last;
        const double mean = (static_cast<double>(first) + static_cast<double>(last)) / 2 + 1;
        for (size_t i = first; i <= last; ++i) ranks[order[i]] = mean;
        first = last + 1;
    }
    return ranks;
}

std::vector<std::vector<size_t>> drawResamples(size_t n, const BootstrapOptions& options) {
    checkOptions(options);
    if (n == 0) throw Error("nothing to resample");
    std::mt19937_64 rng(options.seed);
    std::vector<std::vector<size_t>> resamples(static_cast<size_t>(options.resamples), std::vector<size_t>(n));
    for (auto& rows : resamples)
        for (auto& row : rows) row = static_cast<size_t>(rng() % n);
    return resamples;
}

Estimate bootstrapEstimate(const std::vector<double>& x, const std::vector<double>& y, const PairStatistic& statistic,
                           const std::vector<std::vector<size_t>>& resamples, double level) {
    std::vector<double> samples;
    int skipped = 0;
    for (const auto& rows : resamples) {
        if (const auto s = statistic(gather(x, rows), gather(y, rows))) samples.push_back(*s);
        else ++skipped;
    }
    return summarise(statistic(x, y), std::move(samples), skipped, level);
}

Estimate bootstrapEstimate(const std::vector<double>& x, const std::vector<double>& y, const PairStatistic& statistic,
                           const BootstrapOptions& options) {
    if (x.size() != y.size()) pearsonR(x, y);  // throws, naming the lengths
    return bootstrapEstimate(x, y, statistic, drawResamples(x.size(), options), options.level);
}

ModelRanking rankModels(const std::vector<ModelCounts>& models, const RankingOptions& options) {
    checkModels(models, options);
    ModelRanking result;
    result.scoreNegated = !options.higherIsBetter;
    result.bootstrap = options.bootstrap;
    std::vector<double> oriented;
    for (const auto& m : models) {
        result.models.push_back(m.name);
        result.scores.push_back(m.score);
        result.units.push_back(m.units);
        oriented.push_back(options.higherIsBetter ? m.score : -m.score);
    }
    const auto resamples = drawResamples(models.size(), options.bootstrap);
    ResampledScores resampled;
    for (const auto& rows : resamples) {
        resampled.values.push_back(gather(oriented, rows));
        resampled.ranks.push_back(averageRanks(resampled.values.back()));
    }
    for (size_t t = 0; t < options.thresholds.size(); ++t) {
        ThresholdRanking r;
        r.threshold = options.thresholds[t];
        for (const auto& m : models) {
            r.experts.push_back(m.experts[t]);
            r.share.push_back(static_cast<double>(m.experts[t]) / static_cast<double>(m.units));
        }
        if (t > 0 && r.experts == result.thresholds.back().experts) {
            // The same counts give the same statistics (same data, same resamples): reuse them.
            r.byExperts = result.thresholds.back().byExperts;
            r.byShare = result.thresholds.back().byShare;
        } else {
            const std::vector<double> experts(r.experts.begin(), r.experts.end());
            r.byExperts = associate(oriented, experts, resamples, resampled, options.bootstrap.level);
            r.byShare = associate(oriented, r.share, resamples, resampled, options.bootstrap.level);
        }
        const auto& r2 = r.byExperts.r2.value;
        if (r2 && (!result.best || *r2 > *result.thresholds[*result.best].byExperts.r2.value)) result.best = t;
        result.thresholds.push_back(std::move(r));
    }
    return result;
}

}  // namespace expertscope
