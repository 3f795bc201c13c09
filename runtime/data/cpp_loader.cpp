// jitlint's C++ load check: torch::jit::load a TorchScript archive, run forward on inputs
// saved from Python with torch.save, write the outputs back with torch::jit::pickle_save.
// usage: jitlint_loader MODEL INPUTS OUTPUTS DEVICE
#include <torch/script.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

static c10::IValue to_device(const c10::IValue& v, const c10::Device& device) {
  if (v.isTensor()) return v.toTensor().to(device);
  if (v.isTuple()) {
    std::vector<c10::IValue> items;
    for (const auto& e : v.toTupleRef().elements()) items.push_back(to_device(e, device));
    return c10::ivalue::Tuple::create(std::move(items));
  }
  if (v.isList()) {
    auto list = v.toList();
    c10::impl::GenericList out(list.elementType());
    for (const auto& e : list) out.push_back(to_device(e, device));
    return out;
  }
  if (v.isGenericDict()) {
    auto dict = v.toGenericDict();
    c10::impl::GenericDict out(dict.keyType(), dict.valueType());
    for (const auto& kv : dict) out.insert(kv.key(), to_device(kv.value(), device));
    return out;
  }
  return v;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: jitlint_loader MODEL INPUTS OUTPUTS DEVICE\n";
    return 2;
  }
  const c10::Device device(argv[4]);
  torch::jit::Module module;
  try {
    module = torch::jit::load(argv[1], device);
    module.eval();
  } catch (const std::exception& e) {
    std::cerr << "LOAD FAILED: " << e.what() << "\n";
    return 3;
  }
  std::ifstream in(argv[2], std::ios::binary);
  std::vector<char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  c10::List<c10::IValue> inputs = torch::jit::pickle_load(data).toList();
  c10::impl::GenericList results(c10::AnyType::get());
  torch::NoGradGuard no_grad;
  for (const auto& item : inputs) {
    std::vector<c10::IValue> args;
    for (const auto& a : item.get().toTupleRef().elements()) args.push_back(to_device(a, device));
    try {
      c10::IValue out = module.forward(args);
      results.push_back(c10::ivalue::Tuple::create({c10::IValue(std::string("ok")), to_device(out, c10::Device("cpu"))}));
    } catch (const std::exception& e) {
      results.push_back(c10::ivalue::Tuple::create({c10::IValue(std::string("error")), c10::IValue(std::string(e.what()))}));
    }
  }
  std::vector<char> bytes = torch::jit::pickle_save(results);
  std::ofstream out(argv[3], std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return 0;
}
