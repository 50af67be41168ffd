#include "app/cli_commands.h"

#include "core/runtime/blas_setup.h"

#include <QCoreApplication>

#include <iostream>

int main(int argc, char** argv) {
    expertscope::selectBlasKernel(argv);
    QCoreApplication app(argc, argv);
    std::vector<std::string> args(argv + 1, argv + argc);
    return expertscope::cli::run(args, std::cout, std::cerr);
}
