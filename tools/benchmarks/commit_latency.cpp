// Answer commit latency against a bare fdatasync on the same disk; a child's
// drawing: its PNG's size and making, and its sealed commit; and a minute's
// recording: encoding it as it comes, then from the child's stop to durable.
// usage: sayso-bench-storage DIR [COUNT]
#include "draw/drawing.hpp"
#include "spoken.hpp"
#include "storage/store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <random>
#include <unistd.h>
#include <vector>

namespace {

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: sayso-bench-storage DIR [COUNT]\n");
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    const int count = argc > 2 ? std::atoi(argv[2]) : 500;
    std::filesystem::create_directories(dir);
    using clk = std::chrono::steady_clock;

    // Bare fdatasync of a 4 KiB write: the floor for any durable commit here.
    std::vector<double> sync_ms;
    {
        const auto file = dir / "fdatasync.bin";
        int fd = ::open(file.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
        if (fd < 0) return 1;
        char block[4096] = {};
        for (int i = 0; i < count; ++i) {
            auto t0 = clk::now();
            if (::pwrite(fd, block, sizeof block, (i % 16) * 4096) < 0 || ::fdatasync(fd) != 0) return 1;
            sync_ms.push_back(std::chrono::duration<double, std::milli>(clk::now() - t0).count());
        }
        ::close(fd);
        std::filesystem::remove(file);
    }

    const auto db = dir / "bench.db";
    std::filesystem::remove(db);
    std::filesystem::remove(dir / "bench.db-wal");
    std::filesystem::remove(dir / "bench.db-shm");
    auto opened = sayso::storage::Store::open(db);
    if (!opened) {
        std::fprintf(stderr, "%s\n", opened.problem().detail.c_str());
        return 1;
    }
    auto store = std::move(*opened);
    const sayso::flow::ResponseStart start{.id = sayso::flow::random_id(),
                                           .pack_id = "bench",
                                           .pack_version = "1",
                                           .band = "8-11",
                                           .visit_type = "visit",
                                           .language = "en"};
    if (auto begun = store->begin(start); !begun) {
        std::fprintf(stderr, "%s\n", begun.problem().detail.c_str());
        return 1;
    }
    // Each commit of a fresh file appends to the WAL, growing it; once the WAL
    // has been checkpointed (every 1000 pages) SQLite reuses it in place. A
    // tablet spends its life in that steady state, so both are measured.
    auto commit_run = [&](int n, int offset, std::vector<double>& out) {
        for (int i = 0; i < n; ++i) {
            sayso::flow::AnswerRecord a;
            a.question_id = "q" + std::to_string(offset + i);
            a.position = i % 8;
            a.kind = "faces";
            a.measure = "listened";
            a.options = {"happy"};
            a.answered_at_ms = i;
            auto t0 = clk::now();
            if (auto kept = store->record(start.id, a); !kept) {
                std::fprintf(stderr, "%s\n", kept.problem().detail.c_str());
                std::exit(1);
            }
            out.push_back(std::chrono::duration<double, std::milli>(clk::now() - t0).count());
        }
    };
    std::vector<double> fresh_ms, warmup_ms, commit_ms;
    commit_run(count, 0, fresh_ms);
    commit_run(1200, count, warmup_ms); // past the first checkpoint
    commit_run(count, count + 1200, commit_ms);
    // The same steady state with every answer sealed to a collector key, as on an enrolled tablet.
    if (auto sealing = store->set_seal_key("bench", "ISnf/cwu98JhL1uFEGElAspOs17YZBx36EGkePC4OVA="); !sealing) {
        std::fprintf(stderr, "%s\n", sealing.problem().detail.c_str());
        return 1;
    }
    std::vector<double> sealed_ms;
    commit_run(count, 2 * count + 1200, sealed_ms);

    // A busy drawing: 400 strokes of every crayon and the eraser across the whole canvas, far more than a
    // child draws, so its PNG is as large as a drawing gets in practice.
    sayso::draw::Drawing drawing;
    std::mt19937 rng(20261206);
    auto any = [&](float max) { return std::uniform_real_distribution<float>(0, max)(rng); };
    for (int stroke = 0; stroke < 400; ++stroke) {
        const int tool = stroke % 9 == 8 ? sayso::draw::kEraser : stroke % 6;
        drawing.begin({any(1024), any(768)}, tool);
        for (int k = 0; k < 30; ++k)
            drawing.extend({any(1024), any(768)});
        drawing.end();
    }
    std::vector<double> encode_ms;
    std::string png;
    for (int i = 0; i < 10; ++i) {
        auto t0 = clk::now();
        auto made = drawing.png();
        encode_ms.push_back(std::chrono::duration<double, std::milli>(clk::now() - t0).count());
        if (!made) return 1;
        png = std::move(*made);
    }
    // Its sealed commit (the answer and its picture, one transaction), as on an enrolled tablet.
    std::vector<double> drawing_ms;
    for (int i = 0; i < 50; ++i) {
        sayso::flow::AnswerRecord a;
        a.question_id = "picture" + std::to_string(i);
        a.kind = "draw";
        a.media = png;
        a.media_type = "image/png";
        auto t0 = clk::now();
        if (auto kept = store->record(start.id, a); !kept) {
            std::fprintf(stderr, "%s\n", kept.problem().detail.c_str());
            return 1;
        }
        drawing_ms.push_back(std::chrono::duration<double, std::milli>(clk::now() - t0).count());
    }
    // A minute of speech, handed over in the microphone's periods as the child talks; then stop, and the
    // sealed commit of its Ogg Opus: the time from the child's last word to a durable answer.
    const auto minute = sayso::bench::spoken(60.0);
    if (!minute) return std::fprintf(stderr, "espeak-ng could not speak\n"), 1;
    std::vector<double> period_ms, durable_ms;
    double encode_total_ms = 0;
    std::size_t ogg_bytes = 0;
    for (int run = 0; run < 10; ++run) {
        sayso::recording::Take take(60);
        for (std::size_t at = 0; at < minute->size(); at += 4096) {
            auto t0 = clk::now();
            take.add(minute->data() + at, std::min<std::size_t>(4096, minute->size() - at));
            const double ms = std::chrono::duration<double, std::milli>(clk::now() - t0).count();
            period_ms.push_back(ms);
            encode_total_ms += ms;
        }
        take.stop(); // full: it stopped by itself; a child's stop is the same drain
        auto t0 = clk::now();
        auto ogg = take.ogg();
        if (!ogg) return std::fprintf(stderr, "%s\n", ogg.words().c_str()), 1;
        ogg_bytes = ogg->size();
        sayso::flow::AnswerRecord a;
        a.question_id = "voice" + std::to_string(run);
        a.kind = "voice";
        a.media = std::move(*ogg);
        a.media_type = "audio/ogg";
        if (auto kept = store->record(start.id, a); !kept) {
            std::fprintf(stderr, "%s\n", kept.problem().detail.c_str());
            return 1;
        }
        durable_ms.push_back(std::chrono::duration<double, std::milli>(clk::now() - t0).count());
    }
    // The stop itself (libopusenc's drain of the last frames), timed apart.
    std::vector<double> stop_ms;
    for (int run = 0; run < 10; ++run) {
        sayso::recording::Take take(60);
        take.add(minute->data(), minute->size() - 4800); // all but the last tenth of a second
        auto t0 = clk::now();
        take.stop();
        stop_ms.push_back(std::chrono::duration<double, std::milli>(clk::now() - t0).count());
    }

    std::printf("{\"count\": %d, \"fdatasync_p50_ms\": %.3f, \"fdatasync_p99_ms\": %.3f, \"commit_p50_ms\": %.3f, "
                "\"commit_p99_ms\": %.3f, \"fresh_commit_p50_ms\": %.3f, \"fresh_commit_p99_ms\": %.3f, "
                "\"sealed_commit_p50_ms\": %.3f, \"sealed_commit_p99_ms\": %.3f, \"drawing_png_bytes\": %zu, "
                "\"drawing_encode_ms\": %.2f, \"drawing_commit_p50_ms\": %.3f, \"drawing_commit_p99_ms\": %.3f, "
                "\"voice_ogg_bytes\": %zu, \"voice_period_p99_ms\": %.3f, \"voice_encode_ms_per_minute\": %.1f, "
                "\"voice_stop_ms\": %.2f, \"voice_to_durable_p50_ms\": %.2f, \"voice_to_durable_max_ms\": %.2f}\n",
                count, percentile(sync_ms, 0.5), percentile(sync_ms, 0.99), percentile(commit_ms, 0.5),
                percentile(commit_ms, 0.99), percentile(fresh_ms, 0.5), percentile(fresh_ms, 0.99),
                percentile(sealed_ms, 0.5), percentile(sealed_ms, 0.99), png.size(), percentile(encode_ms, 0.5),
                percentile(drawing_ms, 0.5), percentile(drawing_ms, 0.99), ogg_bytes, percentile(period_ms, 0.99),
                encode_total_ms / 10, percentile(stop_ms, 0.5), percentile(stop_ms, 0.5) + percentile(durable_ms, 0.5),
                percentile(stop_ms, 1.0) + percentile(durable_ms, 1.0));
    return 0;
}
