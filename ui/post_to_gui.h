#pragma once
// Answers from background work reach the widgets on the GUI thread.
#include <QMetaObject>
#include <QObject>

#include <utility>

namespace expertscope {

// Runs `f` on the receiver's thread (the GUI thread), later, through its event loop.
template <typename F>
void post(QObject* receiver, F&& f) {
    QMetaObject::invokeMethod(receiver, std::forward<F>(f), Qt::QueuedConnection);
}

}  // namespace expertscope
