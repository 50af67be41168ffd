#include "core/science/response_collector.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>

namespace expertscope {

ResponseMatrix collectAll(LanguageModel& model, const std::vector<std::vector<int>>& sentences,
                          const CollectionOptions& options, const ProgressCallback& progress) {
    ResponseMatrix out;
    out.rows = static_cast<int64_t>(sentences.size());
    out.cols = model.unitCount();
    out.values.assign(static_cast<size_t>(out.rows * out.cols), 0.f);
    const size_t cols = static_cast<size_t>(out.cols);
    collectInto(
        model, sentences,
        [&](size_t sentence, const float* row) { std::memcpy(out.values.data() + sentence * cols, row, cols * sizeof(float)); },
        options, progress);
    return out;
}

void collectInto(LanguageModel& model, const std::vector<std::vector<int>>& sentences, const RowSink& sink,
                 const CollectionOptions& options, const ProgressCallback& progress) {
    const auto started = std::chrono::steady_clock::now();
    if (sentences.empty()) return;
    const int64_t total = static_cast<int64_t>(sentences.size());
    const int64_t cols = model.unitCount();

    // Similar lengths together keep padding small; each batch holds at most tokenBudget
    // padded tokens (at least one sentence).
    std::vector<size_t> order(sentences.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return sentences[a].size() < sentences[b].size(); });
    const bool fixed = options.capture.pooling == Pooling::SelfcondMax;
    // Batches pad sentences to a multiple of the model's row alignment: count what runs.
    const size_t align = static_cast<size_t>(std::max(1, model.info().rowAlignment));
    std::vector<std::vector<size_t>> batches(1);
    size_t longest = 0;
    for (size_t i : order) {
        size_t len = fixed ? static_cast<size_t>(options.capture.paddedLength) : sentences[i].size();
        len = (len + align - 1) / align * align;
        longest = std::max(longest, len);
        if (!batches.back().empty() && (batches.back().size() + 1) * longest > static_cast<size_t>(std::max(1, options.tokenBudget))) {
            batches.emplace_back();
            longest = len;
        }
        batches.back().push_back(i);
    }

    int workers = options.workers > 0 ? options.workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    workers = std::min<int>(workers, static_cast<int>(batches.size()));
    // Several single-threaded workers beat one forward pass split over all cores at these
    // sizes. The intra-op setting is process-wide in LibTorch, so it is restored after.
    const int previousThreads = intraOpThreads();

    std::mutex mutex;
    std::condition_variable changed;
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    int64_t done = 0;
    int running = workers;
    std::exception_ptr error;

    auto work = [&] {
        if (workers > 1) setIntraOpThreads(1);
        for (size_t b; !stop && (b = next++) < batches.size();) {
            try {
                std::vector<std::vector<int>> batch;
                for (size_t i : batches[b]) batch.push_back(sentences[i]);
                const auto responses = model.collectResponses(batch, options.capture);
                for (size_t r = 0; r < batches[b].size(); ++r) sink(batches[b][r], &responses.values[r * static_cast<size_t>(cols)]);
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex);
                if (!error) error = std::current_exception();
                stop = true;
            }
            std::lock_guard<std::mutex> lock(mutex);
            done += static_cast<int64_t>(batches[b].size());
            changed.notify_all();
        }
        std::lock_guard<std::mutex> lock(mutex);
        --running;
        changed.notify_all();
    };
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) threads.emplace_back(work);

    // Progress is reported from the calling thread only, coalesced when batches end faster
    // than it wakes; the last report is always the final count.
    bool cancelled = false;
    {
        std::unique_lock<std::mutex> lock(mutex);
        int64_t reported = -1;
        for (;;) {
            changed.wait(lock, [&] { return done != reported || running == 0; });
            if (progress && done != reported && !stop) {
                reported = done;
                const CollectionProgress p{done, total,
                                           std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()};
                lock.unlock();
                const bool goOn = progress(p);
                lock.lock();
                if (!goOn) {
                    cancelled = true;
                    stop = true;
                }
                continue;  // look again before leaving: more may have finished meanwhile
            }
            reported = done;
            if (running == 0) break;
        }
    }
    for (auto& t : threads) t.join();
    if (workers > 1) setIntraOpThreads(previousThreads);
    if (error) std::rethrow_exception(error);
    if (cancelled) throw Cancelled();
}

}  // namespace expertscope
