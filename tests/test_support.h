#pragma once
// Locating ../shared for tests: EXPERTSCOPE_SHARED (set by CTest) or ../shared from the
// working directory. A missing asset skips the test with its path in the message.
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QString>
#include <QTest>

namespace expertscope::test {

inline QString sharedPath(const QString& relative) {
    const QByteArray env = qgetenv("EXPERTSCOPE_SHARED");
    const QString root = env.isEmpty() ? QStringLiteral("../shared") : QString::fromLocal8Bit(env);
    return QDir(root).filePath(relative);
}

// Processes events until `done()` or `ms` pass; false on time-out.
template <typename F>
bool waitFor(F done, int ms) {
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > ms) return false;
        QTest::qWait(10);
    }
    return true;
}

}  // namespace expertscope::test

namespace expertscope::test {
// CI sets EXPERTSCOPE_REQUIRE_ASSETS=1: there a missing asset is a broken set-up, so a test
// that cannot run fails instead of skipping (a Qt Test binary whose functions all skip
// exits 0, and would show green with nothing tested).
// A widget's child by object name (tests reach controls the way users see them, not
// through accessors); aborts the test, naming what is missing, when there is none.
template <typename T>
T* child(const QObject* parent, const char* name) {
    T* found = parent->findChild<T*>(QString::fromLatin1(name));
    if (!found) qFatal("no child '%s' of the expected type under '%s'", name, qPrintable(parent->objectName()));
    return found;
}

inline bool assetsRequired() { return qgetenv("EXPERTSCOPE_REQUIRE_ASSETS") == "1"; }
}  // namespace expertscope::test

// Skips (never passes) when something a test needs is missing, saying what; fails instead
// where assets are required.
#define MISSING_ASSET(what)                                                                                \
    do {                                                                                                  \
        if (expertscope::test::assetsRequired()) QFAIL(qPrintable(QStringLiteral("MISSING: %1").arg(what))); \
        QSKIP(qPrintable(QStringLiteral("SKIPPED: %1").arg(what)));                                          \
    } while (false)

#define REQUIRE_SHARED(var, relative)                                                                      \
    const QString var = expertscope::test::sharedPath(relative);                                         \
    if (!QFileInfo::exists(var))                                                                          \
        MISSING_ASSET(QStringLiteral("shared asset missing: %1 (set EXPERTSCOPE_SHARED)").arg(var))

#include "core/base/error.h"
#include "core/base/safetensors.h"

#include <cmath>
#include <functional>

namespace expertscope::test {

// allclose(atol = rtol = 1e-4), reporting the worst element. For goldens computed by the
// reference implementations (PyTorch, Hugging Face) in float32 on another machine: the same
// products summed in another order by another BLAS differ by float32 rounding, ~1e-6 to
// 1e-5 on activations of order 1-10; a wrong weight, layout or formula differs by far more.
inline void expectClose(const float* got, const std::vector<float>& want, const QString& what) {
    double worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        const double excess = std::fabs(got[i] - want[i]) - (1e-4 + 1e-4 * std::fabs(want[i]));
        if (excess > worst) {
            worst = excess;
            at = i;
        }
    }
    QVERIFY2(worst <= 0, qPrintable(QString("%1: element %2 is %3, expected %4").arg(what).arg(at).arg(got[at]).arg(want[at])));
}

// Fails unless `f` throws expertscope::Error with `fragment` in its message.
inline void expectError(const std::function<void()>& f, const char* fragment) {
    try {
        f();
        QFAIL(qPrintable(QString("no error; expected '%1'").arg(fragment)));
    } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find(fragment) != std::string::npos, e.what());
    }
}

// Copies a safetensors file through `edit`, which may drop, rename or reshape tensors.
inline void copySafetensors(const QString& from, const QString& to, const std::function<void(std::vector<TensorToWrite>&)>& edit) {
    SafetensorsFile in(from.toStdString());
    std::vector<TensorToWrite> tensors;
    for (const auto& n : in.names()) {
        const auto& v = in.tensor(n);
        tensors.push_back({n, v.dtype, v.shape, std::vector<unsigned char>(v.data, v.data + v.bytes)});
    }
    edit(tensors);
    writeSafetensors(to.toStdString(), tensors);
}

}  // namespace expertscope::test
