#include <iostream>
int main() { std::cout << "wisp\n"; return 0; }
