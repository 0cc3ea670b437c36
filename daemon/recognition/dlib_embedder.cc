// dlib translation unit 2 of 2: the ResNet face-embedding network.
#include "embedder.h"

#include <dlib/dnn.h>
#include <dlib/image_transforms.h>
#include <dlib/rand.h>

#include "dlib_convert.h"
#include "models.h"

namespace faceauth {
namespace {

// The network definition of dlib_face_recognition_resnet_model_v1
// (dlib's dnn_face_recognition_ex.cpp): a 29-layer ResNet, 128-d output.
using namespace dlib;
template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual = add_prev1<block<N, BN, 1, tag1<SUBNET>>>;
template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual_down = add_prev2<avg_pool<2, 2, 2, 2, skip1<tag2<block<N, BN, 2, tag1<SUBNET>>>>>>;
template <int N, template <typename> class BN, int stride, typename SUBNET>
using block = BN<con<N, 3, 3, 1, 1, relu<BN<con<N, 3, 3, stride, stride, SUBNET>>>>>;
template <int N, typename SUBNET>
using ares = relu<residual<block, N, affine, SUBNET>>;
template <int N, typename SUBNET>
using ares_down = relu<residual_down<block, N, affine, SUBNET>>;
template <typename SUBNET>
using alevel0 = ares_down<256, SUBNET>;
template <typename SUBNET>
using alevel1 = ares<256, ares<256, ares_down<256, SUBNET>>>;
template <typename SUBNET>
using alevel2 = ares<128, ares<128, ares_down<128, SUBNET>>>;
template <typename SUBNET>
using alevel3 = ares<64, ares<64, ares<64, ares_down<64, SUBNET>>>>;
template <typename SUBNET>
using alevel4 = ares<32, ares<32, ares<32, SUBNET>>>;
using anet_type = loss_metric<
    fc_no_bias<128, avg_pool_everything<alevel0<alevel1<alevel2<alevel3<alevel4<max_pool<
                        3, 3, 2, 2, relu<affine<con<32, 7, 7, 2, 2, input_rgb_image_sized<150>>>>>>>>>>>>>;

}  // namespace

class DlibEmbedder final : public FaceEmbedder {
 public:
  explicit DlibEmbedder(const std::string& model_dir) {
    std::string path = verified_model_path(model_dir, kRecognitionModel);
    try {
      dlib::deserialize(path) >> net_;
    } catch (const std::exception& e) {
      throw ModelError("cannot load recognition model " + path + ": " + e.what());
    }
  }

  EmbedderKind kind() const override { return EmbedderKind::dlib_resnet; }

  Embedding embed(const FaceInput& face, int jitters, unsigned seed) override {
    const Image& chip = face.chip150;
    if (chip.width() != 150 || chip.height() != 150)
      throw std::invalid_argument("the dlib embedder needs an aligned 150x150 face chip");
    std::vector<dlib::matrix<dlib::rgb_pixel>> batch;
    batch.push_back(to_dlib(chip));
    if (jitters > 0) {
      dlib::rand rnd(seed);
      for (int i = 0; i < jitters; ++i) batch.push_back(dlib::jitter_image(batch.front(), rnd));
    }
    std::vector<dlib::matrix<float, 0, 1>> outs = net_(batch, 16);
    Embedding e(EmbedderKind::dlib_resnet);
    for (auto& o : outs) {
      for (int i = 0; i < e.dims; ++i) e.v[i] += o(i) / static_cast<float>(outs.size());
      wipe(o);
    }
    for (auto& b : batch) wipe(b);
    return e;
  }

 private:
  anet_type net_;
};

std::unique_ptr<FaceEmbedder> make_dlib_embedder(const std::string& model_dir) {
  return std::make_unique<DlibEmbedder>(model_dir);
}

}  // namespace faceauth
