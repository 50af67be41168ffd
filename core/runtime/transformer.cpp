#include "core/runtime/transformer.h"

#include "core/base/error.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <malloc.h>
#include <sstream>
#include <thread>

namespace expertscope {

void ProbeTap::onOutput(int probe, at::Tensor& y) const {
    const int64_t tokens = y.size(1);
    if (forcing && ((*forcing)[probe].units.defined() || (*forcing)[probe].factors.defined()) && startPos + tokens > forceFrom) {
        const auto& f = (*forcing)[probe];
        const int64_t from = std::max<int64_t>(0, forceFrom - startPos);
        auto slice = y.narrow(1, from, tokens - from);
        // One float product per element: x * 1 is x to the bit, so unscaled units stay as they were.
        if (f.factors.defined()) slice.mul_(f.factors);
        if (f.units.defined())
            slice.index_copy_(2, f.units, f.values.expand({y.size(0), tokens - from, f.values.size(0)}).contiguous());
    }
    if (record) record->push_back(y.detach().clone());
    if (!pooled.defined()) return;
    const auto& pp = (*probes)[probe];
    auto out = pooled.narrow(1, pp.offset, pp.units);
    if (y.is_cpu()) {
        poolOnCpu(y.contiguous(), out);
        return;
    }
    at::Tensor p;
    if (pooling == Pooling::Mean) p = y.masked_fill(poolMask, 0.f).sum(1) / poolCount;
    else p = y.masked_fill(poolMask, -std::numeric_limits<float>::infinity()).amax(1);
    out.copy_(p);
}

// One pass over each row's pooled positions only; the operator route above needs a masked
// copy of the whole output first.
void ProbeTap::poolOnCpu(const at::Tensor& y, at::Tensor& out) const {
    const int64_t B = y.size(0), T = y.size(1), U = y.size(2), stride = out.stride(0);
    const float* src = y.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    for (int64_t b = 0; b < B; ++b) {
        const int64_t from = poolFrom[static_cast<size_t>(b)], n = poolEnd[static_cast<size_t>(b)];
        const float* row = src + b * T * U;
        float* o = dst + b * stride;
        std::copy(row + from * U, row + (from + 1) * U, o);
        if (pooling == Pooling::Mean) {
            for (int64_t t = from + 1; t < n; ++t)
                for (int64_t u = 0; u < U; ++u) o[u] += row[t * U + u];
            const float inv = 1.f / static_cast<float>(n - from);
            for (int64_t u = 0; u < U; ++u) o[u] *= inv;
        } else {
            for (int64_t t = from + 1; t < n; ++t)
                for (int64_t u = 0; u < U; ++u) {
                    const float v = row[t * U + u];
                    o[u] = (v > o[u] || v != v) ? v : o[u];  // NaN propagates, as in amax
                }
        }
    }
}

at::Tensor probedLinear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, WeightLayout layout,
                        int probe, const ProbeTap& tap) {
    at::Tensor y;
    if (tap.rowPeriod > 0) {
        y = rowExactLinear(x, weight, bias, layout, tap.rowPeriod);
    } else {
        const auto w = layout == WeightLayout::OutIn ? weight.t() : weight;
        if (bias.defined()) {
            auto shape = x.sizes().vec();
            shape.back() = w.size(1);
            y = at::addmm(bias, x.reshape({-1, x.size(-1)}), w).view(shape);
        } else {
            y = at::matmul(x, w);
        }
    }
    tap.onOutput(probe, y);
    return y;
}

int64_t LanguageModel::unitCount() const {
    int64_t n = 0;
    for (const auto& p : probePoints()) n += p.units;
    return n;
}

int LanguageModel::findProbe(const std::string& name) const {
    const auto& probes = probePoints();
    for (size_t i = 0; i < probes.size(); ++i) {
        const auto& p = probes[i];
        if (p.name == name || p.checkpointTensor == name || p.checkpointTensor == name + ".weight")
            return static_cast<int>(i);
    }
    return -1;
}

std::vector<int> LanguageModel::tokenize(const std::string& text) const {
    std::vector<int> ids;
    if (info().prependBos && info().bosId >= 0) ids.push_back(info().bosId);
    const auto body = tokenizer().encode(text);
    ids.insert(ids.end(), body.begin(), body.end());
    if (info().encoder && info().eosId >= 0) ids.push_back(info().eosId);
    return ids;
}

at::Device preferredDevice() {
    const char* env = std::getenv("EXPERTSCOPE_DEVICE");
    if (env && std::string(env) == "cpu") return at::kCPU;
    // Debian's LibTorch is CPU-only; a CUDA build is used when present.
    return at::hasCUDA() ? at::Device(at::kCUDA) : at::Device(at::kCPU);
}

bool useCpuKernels(const at::Device& device) {
    const char* choice = std::getenv("EXPERTSCOPE_KERNELS");
    return device.is_cpu() && !(choice && std::string(choice) == "aten");
}

at::Tensor toTensor(const TensorView& view) {
    auto t = at::empty(view.shape, at::kFloat);
    view.toFloat32(t.data_ptr<float>());  // straight into the tensor: no second copy
    return t;
}

void expectShape(const at::Tensor& t, std::vector<int64_t> shape, const std::string& what) {
    expectShape(t.sizes().vec(), std::move(shape), what);
}

void expectShape(const std::vector<int64_t>& got, const std::vector<int64_t>& shape, const std::string& what) {
    if (got == shape) return;
    auto str = [](at::IntArrayRef s) {
        std::ostringstream o;
        o << s;
        return o.str();
    };
    throw Error(what + " has shape " + str(got) + ", expected " + str(shape));
}

// Once per process: LibTorch may start with one intra-op thread, so use every core unless
// the user chose; and keep freed large blocks for reuse instead of returning them to the
// system, since every forward pass allocates activations of the same few sizes again
// (page faults were a fifth of the run time).
void configureRuntime() {
    static const bool once = [] {
        if (!std::getenv("OMP_NUM_THREADS")) at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 256 << 20);
        return true;
    }();
    (void)once;
}

TransformerModel::TransformerModel(ModelInfo info, std::vector<ProbePoint> probes, std::unique_ptr<Tokenizer> tokenizer,
                                   std::unique_ptr<Backbone> backbone, std::vector<int> stopTokens)
    : info_(std::move(info)), rowPeriod_(0), probes_(std::move(probes)), tokenizer_(std::move(tokenizer)),
      backbone_(std::move(backbone)), stopTokens_(std::move(stopTokens)), device_(preferredDevice()) {
    configureRuntime();
    if (useCpuKernels(device_)) {
        const RowPeriod period = backbone_->rowAlignment();
        rowPeriod_ = period.rows;
        info_.rowAlignment = period.exact ? static_cast<int>(period.rows) : 0;
    }
    int64_t offset = 0;
    for (auto& p : probes_) {
        p.offset = offset;
        offset += p.units;
    }
}

void TransformerModel::checkTokens(const std::vector<int>& ids) const {
    if (ids.empty()) throw Error("empty token sequence");
    if (static_cast<int64_t>(ids.size()) > info_.maxPositions)
        throw Error("sequence of " + std::to_string(ids.size()) + " tokens exceeds the model's context of " +
                    std::to_string(info_.maxPositions));
    for (int id : ids)
        if (id < 0 || id >= info_.vocab) throw Error("token id " + std::to_string(id) + " outside the vocabulary");
}

at::Tensor TransformerModel::tokensTensor(const std::vector<int>& ids) const {
    std::vector<int64_t> v(ids.begin(), ids.end());
    return at::tensor(v, at::kLong).view({1, static_cast<int64_t>(v.size())}).to(device_);
}

std::vector<ProbeTap::ProbeForcing> TransformerModel::prepareForcing(const Forcing& forcing) const {
    std::vector<ProbeTap::ProbeForcing> out(probes_.size());
    if (forcing.empty()) return out;
    std::vector<std::vector<int64_t>> units(probes_.size());
    std::vector<std::vector<float>> values(probes_.size());
    std::vector<std::vector<float>> factors(probes_.size());
    for (const auto& f : forcing.units) {
        if (f.probe < 0 || f.probe >= static_cast<int>(probes_.size()))
            throw Error("forcing names probe " + std::to_string(f.probe) + ", the model has " +
                        std::to_string(probes_.size()));
        if (f.unit < 0 || f.unit >= probes_[f.probe].units)
            throw Error("forcing names unit " + std::to_string(f.unit) + " of " + probes_[f.probe].name + ", which has " +
                        std::to_string(probes_[f.probe].units));
        if (f.scale) {
            auto& factor = factors[f.probe];
            if (factor.empty()) factor.assign(static_cast<size_t>(probes_[f.probe].units), 1.f);
            factor[static_cast<size_t>(f.unit)] *= f.value;
            continue;
        }
        units[f.probe].push_back(f.unit);
        values[f.probe].push_back(f.value);
    }
    for (size_t p = 0; p < probes_.size(); ++p) {
        // A probe whose factors are all 1 needs no product at all.
        if (std::any_of(factors[p].begin(), factors[p].end(), [](float a) { return a != 1.f; }))
            out[p].factors = at::tensor(factors[p], at::kFloat).to(device_);
        if (units[p].empty()) continue;
        out[p].units = at::tensor(units[p], at::kLong).to(device_);
        out[p].values = at::tensor(values[p], at::kFloat).to(device_);
    }
    return out;
}

ResponseMatrix TransformerModel::collectResponses(const std::vector<std::vector<int>>& batch,
                                                  const CaptureOptions& options, const Forcing& forcing) {
    c10::InferenceMode guard;
    ResponseMatrix result;
    result.rows = static_cast<int64_t>(batch.size());
    result.cols = unitCount();
    if (batch.empty()) return result;

    const bool fixed = options.pooling == Pooling::SelfcondMax;
    if (fixed && options.paddedLength <= 0) throw Error("ml-selfcond pooling needs a padded length");
    int64_t longest = fixed ? options.paddedLength : 0;
    for (const auto& ids : batch) {
        checkTokens(ids);
        if (!fixed) longest = std::max<int64_t>(longest, static_cast<int64_t>(ids.size()));
    }
    // Every sentence starts at a multiple of the row alignment, so its rows meet the same
    // arithmetic in any batch (row_exact_linear.h); the extra positions are padding.
    const int64_t align = std::max<int64_t>(1, rowPeriod_);
    const int64_t width = (longest + align - 1) / align * align;
    // Right padding: with causal attention, real tokens never see the pads after them,
    // so only pooling has to skip them.
    int pad = options.padToken;
    if (pad < 0) pad = tokenizer_->padId() >= 0 ? tokenizer_->padId() : info_.eosId;
    if (pad < 0 || pad >= info_.vocab) pad = 0;
    const int64_t rows = result.rows;
    auto tokens = at::full({rows, width}, pad, at::kLong);
    ProbeTap tap;
    tap.poolFrom.resize(static_cast<size_t>(rows));
    tap.poolEnd.resize(static_cast<size_t>(rows));
    auto tok = tokens.accessor<int64_t, 2>();
    for (int64_t r = 0; r < rows; ++r) {
        const auto& ids = batch[static_cast<size_t>(r)];
        const int64_t n = std::min<int64_t>(longest, static_cast<int64_t>(ids.size()));
        for (int64_t t = 0; t < n; ++t) tok[r][t] = ids[static_cast<size_t>(t)];
        // BOS is the same vector for every sentence: left out unless asked for (a sentence
        // of BOS alone keeps it, having nothing else).
        const bool skipBos = !fixed && !options.poolBos && info_.prependBos && n > 1 && ids[0] == info_.bosId;
        // An encoder's closing [SEP] is as much a marker as its [CLS]: not pooled either.
        const bool skipSep = !fixed && info_.encoder && n > 1 + (skipBos ? 1 : 0) && ids[static_cast<size_t>(n - 1)] == info_.eosId;
        tap.poolFrom[static_cast<size_t>(r)] = skipBos ? 1 : 0;
        tap.poolEnd[static_cast<size_t>(r)] = fixed ? longest : n - (skipSep ? 1 : 0);
        tap.realTokens.push_back(n);
    }

    const auto forced = prepareForcing(forcing);
    tap.forcing = &forced;
    tap.forceFrom = 0;
    tap.rowPeriod = rowPeriod_;
    tap.probes = &probes_;
    tap.pooling = options.pooling;
    if (!device_.is_cpu()) {  // the operator route of pooling needs a mask and counts
        const auto from = at::tensor(tap.poolFrom, at::kLong).view({rows, 1, 1});
        const auto end = at::tensor(tap.poolEnd, at::kLong).view({rows, 1, 1});
        const auto position = at::arange(width, at::kLong).view({1, width, 1});
        tap.poolMask = ((position < from) | (position >= end)).to(device_);
        tap.poolCount = (end - from).view({rows, 1}).to(at::kFloat).to(device_);
    }
    tap.pooled = at::empty({rows, result.cols}, at::TensorOptions().dtype(at::kFloat).device(device_));
    backbone_->forward(tokens.to(device_), 0, nullptr, tap);

    const auto pooled = tap.pooled.to(at::kCPU).contiguous();
    result.values.assign(pooled.data_ptr<float>(), pooled.data_ptr<float>() + pooled.numel());
    return result;
}

SequenceTrace TransformerModel::trace(const std::vector<int>& tokens, const Forcing& forcing) {
    c10::InferenceMode guard;
    checkTokens(tokens);
    const auto forced = prepareForcing(forcing);
    std::vector<at::Tensor> record;
    ProbeTap tap;
    tap.forcing = &forced;
    tap.forceFrom = forcing.scope == ForceScope::AllPositions ? 0 : static_cast<int64_t>(tokens.size()) - 1;
    tap.rowPeriod = rowPeriod_;  // the same values as collectResponses gives at each position
    tap.record = &record;
    const auto hidden = backbone_->forward(tokensTensor(tokens), 0, nullptr, tap);

    SequenceTrace out;
    out.tokens = static_cast<int64_t>(tokens.size());
    out.vocab = info_.vocab;
    if (backbone_->hasLogits()) {  // else empty: the probes' outputs are all there is
        const auto logits = backbone_->logits(hidden).to(at::kCPU).contiguous();
        out.logits.assign(logits.data_ptr<float>(), logits.data_ptr<float>() + logits.numel());
    }
    for (const auto& r : record) {
        const auto c = r.to(at::kCPU).contiguous();
        out.outputs.emplace_back(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    }
    return out;
}

std::vector<int> TransformerModel::generate(const std::vector<int>& prompt, const GenerationOptions& options,
                                            const Forcing& forcing, const TokenCallback& onToken) {
    c10::InferenceMode guard;
    if (info_.encoder)
        throw Error(info_.architecture + " is an encoder: it does not write on after a prompt, it fills in masked tokens");
    std::vector<int> sequence = prompt;
    if (sequence.empty()) {
        if (info_.bosId < 0) throw Error("an empty prompt needs a BOS token, and this model has none");
        sequence.push_back(info_.bosId);
    }
    checkTokens(sequence);
    const int64_t promptLength = static_cast<int64_t>(sequence.size());
    const int64_t total = std::min<int64_t>(info_.maxPositions, promptLength + std::max(0, options.maxNewTokens));

    const auto forced = prepareForcing(forcing);
    ProbeTap tap;
    tap.forcing = &forced;
    tap.forceFrom = forcing.scope == ForceScope::AllPositions ? 0 : promptLength - 1;

    Sampler sampler(options);
    KvCache cache;
    if (options.useKvCache) cache = backbone_->newCache(1, total);
    std::vector<int> generated;
    std::string textSoFar;
    at::Tensor input = tokensTensor(sequence);
    int64_t start = 0;
    while (static_cast<int64_t>(sequence.size()) < total) {
        tap.startPos = start;
        const auto hidden = backbone_->forward(input, start, options.useKvCache ? &cache : nullptr, tap);
        const auto last = backbone_->logits(hidden.select(1, hidden.size(1) - 1)).to(at::kCPU).contiguous();
        const int next = sampler.next(last.data_ptr<float>(), static_cast<int>(last.size(-1)));
        sequence.push_back(next);
        generated.push_back(next);
        const bool stop = options.stopAtEos && std::find(stopTokens_.begin(), stopTokens_.end(), next) != stopTokens_.end();
        if (onToken) {
            // Decode the whole continuation and hand out the difference, so multi-token
            // characters (byte fallback) and leading-space rules come out right.
            const std::string text = tokenizer_->decode(generated);
            const std::string added = text.compare(0, textSoFar.size(), textSoFar) == 0 ? text.substr(textSoFar.size()) : text;
            textSoFar = text;
            if (!onToken(next, added)) break;
        }
        if (stop) break;
        if (options.useKvCache) {
            start = static_cast<int64_t>(sequence.size()) - 1;
            input = tokensTensor({next});
        } else {
            input = tokensTensor(sequence);
        }
    }
    return generated;
}

std::vector<SequenceTrace> TransformerModel::traceBatch(const std::vector<std::vector<int>>& ids,
                                                        const std::vector<std::vector<int>>& tokenTypes, const std::vector<int>& lengths) {
    c10::InferenceMode guard;
    if (ids.empty() || tokenTypes.size() != ids.size() || lengths.size() != ids.size())
        throw Error("a batch needs ids, token types and lengths for every row");
    const int64_t B = static_cast<int64_t>(ids.size()), T = static_cast<int64_t>(ids[0].size());
    std::vector<int64_t> flatIds, flatTypes;
    ProbeTap tap;
    for (int64_t b = 0; b < B; ++b) {
        const auto& row = ids[static_cast<size_t>(b)];
        checkTokens(row);
        if (static_cast<int64_t>(row.size()) != T || static_cast<int64_t>(tokenTypes[static_cast<size_t>(b)].size()) != T)
            throw Error("every row of a batch has the same number of tokens and token types");
        const int n = lengths[static_cast<size_t>(b)];
        if (n < 1 || n > T) throw Error("a row's length must be between 1 and its width");
        flatIds.insert(flatIds.end(), row.begin(), row.end());
        flatTypes.insert(flatTypes.end(), tokenTypes[static_cast<size_t>(b)].begin(), tokenTypes[static_cast<size_t>(b)].end());
        tap.realTokens.push_back(n);
    }
    tap.tokenTypes = at::tensor(flatTypes, at::kLong).view({B, T}).to(device_);
    std::vector<at::Tensor> record;
    tap.record = &record;
    tap.rowPeriod = rowPeriod_;
    const auto hidden = backbone_->forward(at::tensor(flatIds, at::kLong).view({B, T}).to(device_), 0, nullptr, tap);
    const auto logits = backbone_->logits(hidden).to(at::kCPU).contiguous();
    std::vector<SequenceTrace> out(static_cast<size_t>(B));
    for (int64_t b = 0; b < B; ++b) {
        auto& t = out[static_cast<size_t>(b)];
        t.tokens = T;
        t.vocab = info_.vocab;
        const auto l = logits.select(0, b).contiguous();
        t.logits.assign(l.data_ptr<float>(), l.data_ptr<float>() + l.numel());
        for (const auto& r : record) {
            const auto c = r.select(0, b).to(at::kCPU).contiguous();
            t.outputs.emplace_back(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
        }
    }
    return out;
}

std::vector<SequenceTrace> traceEncoderBatch(LanguageModel& model, const std::vector<std::vector<int>>& ids,
                                             const std::vector<std::vector<int>>& tokenTypes, const std::vector<int>& lengths) {
    auto* transformer = dynamic_cast<TransformerModel*>(&model);
    if (!transformer || !model.info().encoder) throw Error("token types and padded batches are for encoders (BERT, RoBERTa)");
    return transformer->traceBatch(ids, tokenTypes, lengths);
}

int intraOpThreads() { return at::get_num_threads(); }
void setIntraOpThreads(int threads) { at::set_num_threads(std::max(1, threads)); }

std::string runtimeDescription() {
    std::ostringstream o;
    o << "LibTorch " << TORCH_VERSION << " (" << (preferredDevice().is_cuda() ? "CUDA" : "CPU") << ", "
      << at::get_num_threads() << " threads)";
    return o.str();
}

}  // namespace expertscope
