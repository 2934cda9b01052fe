#include <cstdio>

int main() {
  std::puts("xnuscope 0.1.0");
  return 0;
}
