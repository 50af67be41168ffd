#pragma once
// A size for messages: "1.2 MB" below 10 MB, "688 MB" below a gigabyte, "2.56 GB" from
// there (decimal units, as disks and `df -H` count them).
#include <cstdio>
#include <string>

namespace expertscope {

inline std::string byteSize(double bytes) {
    char text[32];
    if (bytes < 1e7) std::snprintf(text, sizeof text, "%.1f MB", bytes / 1e6);
    else if (bytes < 1e9) std::snprintf(text, sizeof text, "%.0f MB", bytes / 1e6);
    else std::snprintf(text, sizeof text, "%.2f GB", bytes / 1e9);
    return text;
}

}  // namespace expertscope
