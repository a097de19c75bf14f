// Answer commit latency against a bare fdatasync on the same disk.
// usage: sayso-bench-storage DIR [COUNT]
#include "storage/store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
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
    std::optional<sayso::storage::StorageProblem> problem;
    auto store = sayso::storage::Store::open(db, problem);
    if (!store) {
        std::fprintf(stderr, "%s\n", problem->detail.c_str());
        return 1;
    }
    std::vector<double> commit_ms;
    sayso::flow::ResponseStart start{sayso::flow::random_id(), "bench", "1", "8-11", "visit", "en", 0};
    store->begin(start);
    for (int i = 0; i < count; ++i) {
        sayso::flow::AnswerRecord a;
        a.question_id = "q" + std::to_string(i % 8);
        a.position = i % 8;
        a.kind = "faces";
        a.measure = "listened";
        a.options = {"happy"};
        a.answered_at_ms = i;
        auto t0 = clk::now();
        if (auto p = store->record(start.id, a)) {
            std::fprintf(stderr, "%s\n", p->detail.c_str());
            return 1;
        }
        commit_ms.push_back(std::chrono::duration<double, std::milli>(clk::now() - t0).count());
    }
    std::printf("{\"count\": %d, \"fdatasync_p50_ms\": %.3f, \"fdatasync_p99_ms\": %.3f, \"commit_p50_ms\": %.3f, "
                "\"commit_p99_ms\": %.3f}\n",
                count, percentile(sync_ms, 0.5), percentile(sync_ms, 0.99), percentile(commit_ms, 0.5),
                percentile(commit_ms, 0.99));
    return 0;
}
