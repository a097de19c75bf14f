// An SQLite VFS over the real one whose writes fail with SQLITE_FULL while
// `full` is set: a full disk on demand, with everything else real.
#pragma once

#include <atomic>
#include <cstring>
#include <sqlite3.h>

namespace test {

struct FullDisk {
    static inline std::atomic<bool> full{false};
    static constexpr const char* name = "sayso-test-full-disk";

    struct File {
        sqlite3_file base;
        sqlite3_file* real; // allocated just after this struct
    };

    static sqlite3_vfs* real_vfs() { return sqlite3_vfs_find(nullptr); }

    static int x_close(sqlite3_file* f) {
        auto* w = reinterpret_cast<File*>(f);
        int rc = w->real->pMethods ? w->real->pMethods->xClose(w->real) : SQLITE_OK;
        return rc;
    }
    static int x_read(sqlite3_file* f, void* b, int n, sqlite3_int64 o) {
        return real(f)->pMethods->xRead(real(f), b, n, o);
    }
    static int x_write(sqlite3_file* f, const void* b, int n, sqlite3_int64 o) {
        if (full) return SQLITE_FULL;
        return real(f)->pMethods->xWrite(real(f), b, n, o);
    }
    static int x_truncate(sqlite3_file* f, sqlite3_int64 s) { return real(f)->pMethods->xTruncate(real(f), s); }
    static int x_sync(sqlite3_file* f, int fl) { return real(f)->pMethods->xSync(real(f), fl); }
    static int x_size(sqlite3_file* f, sqlite3_int64* s) { return real(f)->pMethods->xFileSize(real(f), s); }
    static int x_lock(sqlite3_file* f, int l) { return real(f)->pMethods->xLock(real(f), l); }
    static int x_unlock(sqlite3_file* f, int l) { return real(f)->pMethods->xUnlock(real(f), l); }
    static int x_check(sqlite3_file* f, int* r) { return real(f)->pMethods->xCheckReservedLock(real(f), r); }
    static int x_fcntl(sqlite3_file* f, int op, void* a) { return real(f)->pMethods->xFileControl(real(f), op, a); }
    static int x_sector(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
    static int x_caps(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
    static int x_shm_map(sqlite3_file* f, int i, int sz, int e, void volatile** p) {
        return real(f)->pMethods->xShmMap(real(f), i, sz, e, p);
    }
    static int x_shm_lock(sqlite3_file* f, int o, int n, int fl) {
        return real(f)->pMethods->xShmLock(real(f), o, n, fl);
    }
    static void x_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
    static int x_shm_unmap(sqlite3_file* f, int d) { return real(f)->pMethods->xShmUnmap(real(f), d); }
    static int x_fetch(sqlite3_file* f, sqlite3_int64 o, int n, void** p) {
        return real(f)->pMethods->xFetch(real(f), o, n, p);
    }
    static int x_unfetch(sqlite3_file* f, sqlite3_int64 o, void* p) {
        return real(f)->pMethods->xUnfetch(real(f), o, p);
    }

    static sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

    static const sqlite3_io_methods* methods() {
        static const sqlite3_io_methods m = {
            3,       x_close,  x_read, x_write,   x_truncate, x_sync,        x_size,      x_lock,  x_unlock, x_check,
            x_fcntl, x_sector, x_caps, x_shm_map, x_shm_lock, x_shm_barrier, x_shm_unmap, x_fetch, x_unfetch};
        return &m;
    }

    static int x_open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
        auto* w = reinterpret_cast<File*>(f);
        w->real = reinterpret_cast<sqlite3_file*>(w + 1);
        std::memset(w->real, 0, static_cast<std::size_t>(real_vfs()->szOsFile));
        int rc = real_vfs()->xOpen(real_vfs(), name, w->real, flags, out_flags);
        w->base.pMethods = rc == SQLITE_OK ? methods() : nullptr;
        return rc;
    }

    // Registers the VFS once; pass `name` to Store::open.
    static void install() {
        static sqlite3_vfs vfs = [] {
            sqlite3_vfs v = *real_vfs();
            v.szOsFile = static_cast<int>(sizeof(File)) + real_vfs()->szOsFile;
            v.zName = name;
            v.pNext = nullptr;
            v.xOpen = x_open;
            return v;
        }();
        static bool done = (sqlite3_vfs_register(&vfs, 0), true);
        (void)done;
    }
};

} // namespace test
