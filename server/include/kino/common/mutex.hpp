#pragma once
// A mutex that clang's thread-safety analysis understands (-Wthread-safety, on in the clang presets):
// members marked KINO_GUARDED_BY(mu_) may only be touched with mu_ held, and functions marked
// KINO_REQUIRES / KINO_EXCLUDES state their lock rule where the compiler checks it. Other compilers
// see a plain std::mutex. Kino code uses these instead of std::mutex.

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define KINO_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define KINO_THREAD_ANNOTATION(x)
#endif

#define KINO_CAPABILITY(name) KINO_THREAD_ANNOTATION(capability(name))
#define KINO_SCOPED_CAPABILITY KINO_THREAD_ANNOTATION(scoped_lockable)
#define KINO_GUARDED_BY(m) KINO_THREAD_ANNOTATION(guarded_by(m))
#define KINO_PT_GUARDED_BY(m) KINO_THREAD_ANNOTATION(pt_guarded_by(m))
#define KINO_REQUIRES(...) KINO_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define KINO_EXCLUDES(...) KINO_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define KINO_ACQUIRE(...) KINO_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define KINO_RELEASE(...) KINO_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define KINO_TRY_ACQUIRE(...) KINO_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))

namespace kino::common {

class KINO_CAPABILITY("mutex") Mutex {
 public:
  void lock() KINO_ACQUIRE() { mu_.lock(); }
  void unlock() KINO_RELEASE() { mu_.unlock(); }
  bool try_lock() KINO_TRY_ACQUIRE(true) { return mu_.try_lock(); }  // NOLINT: Lockable's name

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds a Mutex for its scope; can wait on a condition variable (the mutex is released while
// waiting and held again when wait returns, as the analysis assumes throughout).
class KINO_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) KINO_ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() KINO_RELEASE() { mu_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // Blocks until `cv` is notified (or a spurious wake-up): re-check the condition in a loop.
  void wait(std::condition_variable& cv) {
    std::unique_lock<std::mutex> lock(mu_.mu_, std::adopt_lock);
    cv.wait(lock);
    lock.release();
  }
  // As wait(), but returns false once `deadline` has passed.
  template <class Clock, class Duration>
  bool waitUntil(std::condition_variable& cv,
                 const std::chrono::time_point<Clock, Duration>& deadline) {
    std::unique_lock<std::mutex> lock(mu_.mu_, std::adopt_lock);
    const bool notified = cv.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return notified;
  }

 private:
  Mutex& mu_;
};

}  // namespace kino::common
