#pragma once
// Asks for the resolution of a PNG figure export.
class QWidget;

namespace expertscope {

// The dots per inch chosen, starting from `dpi`; 0 when cancelled.
int askResolution(QWidget* parent, int dpi);

}  // namespace expertscope
