"""What the ground-truth benchmark builds: every model, its constructor and its inputs.

Each :class:`Case` builds one model with random weights (nothing is ever downloaded:
``weights=None`` / ``pretrained=False`` / tiny configs) and offers *candidate* inputs.
The runner (``build_ground_truth.py``) takes the first candidate of ``a`` that eager
PyTorch accepts as the trace example (input size A), the first candidate of ``b`` that
eager accepts as the second input (size B) and the first candidate of ``c`` that eager
accepts as a third input (size C; optional: a model that accepts none has no C).  Candidates exist because the zoos do not say
which sizes a model takes: a ViT only accepts its ``img_size``, a swin pads, a CNN takes
anything; trying small sizes first keeps the run fast, the later candidates are the
models' native sizes.  B differs from A in batch size and, where the model accepts it, in
spatial size / sequence length / clip length, because a trace is only caught being wrong
on an input it was not traced with.  C varies what B could not or did not: another
spatial size for fixed-resolution-B models where the model takes one (vision: batch 3 and a
size neither A nor B has, larger or portrait), another sequence length *and* batch with
another padding pattern (text), three images (detection), more/fewer boxes (RoI ops).
Models with a truly fixed input size (ViT, MaxViT, MViT, strict timm patch embeddings)
accept no C candidate; the record says so.

A call is ``(args, kwargs)``; everything is generated from a fixed seed by the runner.
Importing this module imports no model library; each library's cases import it lazily.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Tuple

import torch

Call = Tuple[Tuple[Any, ...], Dict[str, Any]]
LIBRARIES = ("torchvision", "timm", "transformers")


@dataclass
class Case:
    library: str
    name: str  # the builder's name (torchvision/timm) or the model class (transformers)
    build: Callable[[], torch.nn.Module]
    a: List[Callable[[], Call]]
    b: List[Callable[[], Call]]
    notes: List[str] = field(default_factory=list)  # how the model was configured, for the record
    c: List[Callable[[], Call]] = field(default_factory=list)  # third input (optional, see above)


def _img(*shape) -> Callable[[], Call]:
    """A batch of normalised images/clips (standard normal, like a Normalize()d input)."""
    return lambda: ((torch.randn(*shape),), {})


def _image_candidates(a_sizes, b_sizes, channels=3) -> Tuple[list, list]:
    a = [_img(1, channels, h, w) for h, w in a_sizes]
    b = [_img(2, channels, h, w) for h, w in b_sizes]
    return a, b


def _image_c(c_sizes, channels=3) -> list:
    """Input C candidates: batch 3 and the given sizes."""
    return [_img(3, channels, h, w) for h, w in c_sizes]


# --------------------------------------------------------------------------------------
# torchvision
# --------------------------------------------------------------------------------------

# Small sizes first; the native size last.  B: another batch size and a non-square size,
# then the native size with batch 2 (models with a fixed input size: ViT, MaxViT).
_TV_A = [(96, 96), (224, 224), (299, 299)]
_TV_B = [(112, 144), (224, 224), (299, 299)]
# C: batch 3, a portrait size neither A nor B has, then larger squares (fixed-size models:
# ViT, MaxViT take none of them)
_TV_C = [(160, 128), (256, 256), (320, 320)]


def _tv_classification(name: str, module=None, **kwargs) -> Case:
    import torchvision

    a, b = _image_candidates(_TV_A, _TV_B)
    return Case("torchvision", name, lambda: torchvision.models.get_model(name, weights=None, **kwargs), a, b,
                [f"{k}={v!r}" for k, v in kwargs.items()], _image_c(_TV_C))


def _detection_inputs(shapes_a, shapes_b, shapes_c):
    """Detection models take a list of 3xHxW images in [0, 1]; B has two images of other
    sizes, C three (portrait, landscape, square)."""
    a = [lambda: (([torch.rand(3, *shapes_a[0])],), {})]
    b = [lambda: (([torch.rand(3, *s) for s in shapes_b],), {})]
    c = [lambda: (([torch.rand(3, *s) for s in shapes_c],), {})]
    return a, b, c


def _tv_detection(name: str) -> Case:
    import torchvision

    # Small images keep the run affordable (the default transform resizes to 800-1333); a
    # zero score threshold keeps the random-weight detectors' outputs non-empty, so eager and
    # compiled boxes are actually compared (with the default thresholds nothing survives).
    kwargs: Dict[str, Any] = {"weights": None, "weights_backbone": None}
    if "rcnn" in name:
        kwargs.update(min_size=256, max_size=320, box_score_thresh=0.0)
    elif name.startswith(("retinanet", "fcos")):
        kwargs.update(min_size=256, max_size=320, score_thresh=0.0)
    elif name.startswith("ssd"):
        kwargs.update(score_thresh=0.0)
    a, b, c = _detection_inputs([(240, 320)], [(288, 256), (256, 300)], [(320, 240), (200, 280), (272, 272)])
    notes = [f"{k}={v!r}" for k, v in kwargs.items() if k not in ("weights", "weights_backbone")]
    return Case("torchvision", name, lambda: torchvision.models.get_model(name, **kwargs), a, b, notes, c)


def _tv_segmentation(name: str) -> Case:
    import torchvision

    a, b = _image_candidates(_TV_A, _TV_B)
    return Case("torchvision", name,
                lambda: torchvision.models.get_model(name, weights=None, weights_backbone=None), a, b, [],
                _image_c(_TV_C))


def _tv_video(name: str) -> Case:
    import torchvision

    # (N, C, T, H, W); MViT only takes 16x224x224, S3D needs a large enough clip
    a = [_img(1, 3, 8, 64, 64), _img(1, 3, 16, 112, 112), _img(1, 3, 16, 224, 224)]
    b = [_img(2, 3, 4, 80, 96), _img(2, 3, 12, 128, 112), _img(2, 3, 16, 224, 224)]
    # C: batch 3, another clip length and a portrait frame; S3D needs a large clip (then a
    # larger one than A/B's 16x224x224); MViT takes 16x224x224 only
    c = [_img(3, 3, 6, 96, 80), _img(3, 3, 10, 144, 128), _img(3, 3, 20, 256, 256)]
    return Case("torchvision", name, lambda: torchvision.models.get_model(name, weights=None), a, b, [], c)


def _tv_optical_flow(name: str) -> Case:
    import torchvision

    def pair(n, h, w):
        return lambda: ((torch.rand(n, 3, h, w) * 2 - 1, torch.rand(n, 3, h, w) * 2 - 1), {})

    return Case("torchvision", name, lambda: torchvision.models.get_model(name, weights=None),
                [pair(1, 128, 128)], [pair(2, 136, 160)], ["num_flow_updates=12 (default)"], [pair(3, 192, 128)])


def _tv_quantized(name: str) -> Case:
    import torchvision

    def build():
        # quantize=True: the int8 model (fbgemm), which is what quantized models are scripted as
        torch.backends.quantized.engine = "fbgemm" if "fbgemm" in torch.backends.quantized.supported_engines else "qnnpack"
        return torchvision.models.get_model(name, weights=None, quantize=True)

    a, b = _image_candidates(_TV_A, _TV_B)
    return Case("torchvision", name, build, a, b, ["quantize=True"], _image_c(_TV_C))


def _tv_ops() -> List[Case]:
    """``torchvision.ops`` modules with small arguments and inputs that exercise them."""
    from collections import OrderedDict

    from torchvision import ops

    def feats(n, h, w, channels=(8, 16)):
        return OrderedDict([("feat0", torch.randn(n, channels[0], h, w)),
                            ("feat1", torch.randn(n, channels[1], h // 2, w // 2))])

    def boxes(n_img, k, h, w):
        out = []
        for _ in range(n_img):
            xy = torch.rand(k, 2) * torch.tensor([w * 0.6, h * 0.6])
            wh = torch.rand(k, 2) * torch.tensor([w * 0.4, h * 0.4]) + 1
            out.append(torch.cat([xy, xy + wh], 1))
        return out

    def rois(n_img, k, h, w):
        bs = boxes(n_img, k, h, w)
        return torch.cat([torch.cat([torch.full((len(b), 1), float(i)), b], 1) for i, b in enumerate(bs)])

    def roi_call(channels):
        return (lambda: ((torch.randn(1, channels, 16, 16), rois(1, 5, 16, 16)), {}),
                lambda: ((torch.randn(2, channels, 20, 24), rois(2, 7, 20, 24)), {}),
                lambda: ((torch.randn(3, channels, 28, 12), rois(3, 2, 28, 12)), {}))

    cases = []

    def add(name, build, a, b, c, notes=()):
        cases.append(Case("torchvision", f"ops.{name}", build, [a], [b], list(notes), [c]))

    add("FeaturePyramidNetwork", lambda: ops.FeaturePyramidNetwork([8, 16], 8),
        lambda: ((feats(1, 16, 16),), {}), lambda: ((feats(2, 20, 24),), {}), lambda: ((feats(3, 28, 12),), {}))
    add("MultiScaleRoIAlign", lambda: ops.MultiScaleRoIAlign(["feat0", "feat1"], 3, 2),
        lambda: ((feats(1, 32, 32, (8, 8)), boxes(1, 5, 128, 128), [(128, 128)]), {}),
        lambda: ((feats(2, 40, 48, (8, 8)), boxes(2, 6, 160, 192), [(160, 192), (150, 180)]), {}),
        lambda: ((feats(3, 56, 24, (8, 8)), boxes(3, 2, 224, 96), [(224, 96), (210, 90), (200, 96)]), {}))
    for name, build, channels in [
        ("RoIAlign", lambda: ops.RoIAlign(3, spatial_scale=1.0, sampling_ratio=2), 4),
        ("RoIPool", lambda: ops.RoIPool(3, spatial_scale=1.0), 4),
        ("PSRoIAlign", lambda: ops.PSRoIAlign(2, spatial_scale=1.0, sampling_ratio=2), 8),
        ("PSRoIPool", lambda: ops.PSRoIPool(2, spatial_scale=1.0), 8),
    ]:
        add(name, build, *roi_call(channels))
    add("DeformConv2d", lambda: ops.DeformConv2d(4, 8, 3, padding=1),
        lambda: ((torch.randn(1, 4, 10, 10), torch.randn(1, 18, 10, 10)), {}),
        lambda: ((torch.randn(2, 4, 12, 14), torch.randn(2, 18, 12, 14)), {}),
        lambda: ((torch.randn(3, 4, 16, 8), torch.randn(3, 18, 16, 8)), {}))
    add("StochasticDepth", lambda: ops.StochasticDepth(0.5, "row"), _img(1, 8, 6, 6), _img(2, 8, 7, 9),
        _img(3, 8, 11, 5), ["eval mode: identity"])
    add("DropBlock2d", lambda: ops.DropBlock2d(0.1, 3), _img(1, 8, 12, 12), _img(2, 8, 14, 10), _img(3, 8, 9, 17),
        ["eval mode: identity"])
    add("DropBlock3d", lambda: ops.DropBlock3d(0.1, 3), _img(1, 4, 6, 8, 8), _img(2, 4, 5, 9, 7),
        _img(3, 4, 7, 6, 10), ["eval mode: identity"])
    add("SqueezeExcitation", lambda: ops.SqueezeExcitation(16, 4), _img(1, 16, 8, 8), _img(2, 16, 9, 11),
        _img(3, 16, 13, 6))
    add("Conv2dNormActivation", lambda: ops.Conv2dNormActivation(3, 8), _img(1, 3, 16, 16), _img(2, 3, 18, 20),
        _img(3, 3, 24, 12))
    add("Conv3dNormActivation", lambda: ops.Conv3dNormActivation(3, 8), _img(1, 3, 4, 8, 8), _img(2, 3, 5, 9, 7),
        _img(3, 3, 6, 7, 11))
    add("MLP", lambda: ops.MLP(16, [32, 8]), _img(1, 16), _img(3, 5, 16), _img(2, 4, 3, 16))
    add("FrozenBatchNorm2d", lambda: ops.FrozenBatchNorm2d(8), _img(1, 8, 5, 5), _img(2, 8, 6, 7), _img(3, 8, 9, 4))
    add("Permute", lambda: ops.Permute([0, 2, 3, 1]), _img(1, 3, 4, 5), _img(2, 3, 6, 7), _img(3, 3, 8, 2))
    return cases


def torchvision_cases() -> List[Case]:
    import torchvision.models as tvm

    cases = []
    for name in tvm.list_models(module=tvm):
        cases.append(_tv_classification(name))
    for name in tvm.list_models(module=tvm.detection):
        cases.append(_tv_detection(name))
    for name in tvm.list_models(module=tvm.segmentation):
        cases.append(_tv_segmentation(name))
    for name in tvm.list_models(module=tvm.video):
        cases.append(_tv_video(name))
    for name in tvm.list_models(module=tvm.optical_flow):
        cases.append(_tv_optical_flow(name))
    for name in tvm.list_models(module=tvm.quantization):
        cases.append(_tv_quantized(name))
    return cases + _tv_ops()


# --------------------------------------------------------------------------------------
# timm
# --------------------------------------------------------------------------------------

# The smallest variant of each family (about 65 families), pretrained=False.
TIMM_MODELS = """
resnet10t resnet18 resnet50d resnetv2_50 seresnext26d_32x4d resnest14d skresnet18 res2net50_26w_4s
efficientnet_b0 efficientnet_lite0 tf_efficientnet_b0 mobilenetv3_small_050 mobilenetv2_050
mobilenetv4_conv_small vit_tiny_patch16_224 deit_tiny_patch16_224 deit_tiny_distilled_patch16_224
convnext_atto convnextv2_atto regnetx_002 regnety_002 densenet121 levit_128s
swin_tiny_patch4_window7_224 swinv2_tiny_window8_256 mixer_s16_224 coat_lite_tiny coat_tiny poolformer_s12
poolformerv2_s12 maxvit_pico_rw_256 coatnet_nano_rw_224 efficientformer_l1 efficientformerv2_s0
mobilevit_xxs mobilevitv2_050 edgenext_xx_small ghostnet_050 lcnet_050 hrnet_w18_small dla46_c dpn48b
cspresnet50 darknet17 rexnet_100 mnasnet_050 fbnetc_100 tinynet_e mixnet_s selecsls42b legacy_xception
inception_v3 nf_resnet26 gernet_s repvgg_a0 cait_xxs24_224 xcit_nano_12_p16_224 pit_ti_224
crossvit_tiny_240 convit_tiny visformer_tiny pvt_v2_b0 gcvit_xxtiny nest_tiny_jx sequencer2d_s
resmlp_12_224 gmlp_ti16_224 fastvit_t8 repvit_m1 efficientvit_b0 efficientvit_m0 tiny_vit_5m_224
hgnetv2_b0 hiera_tiny_224 eva02_tiny_patch14_224 starnet_s050 ese_vovnet19b_dw
""".split()


def _timm_case(name: str) -> Case:
    import timm

    def build():
        return timm.create_model(name, pretrained=False)

    # A: the model's own input size (most timm transformers only take it); B: another batch
    # and a smaller non-square size if the model takes it, else the same size
    size = _timm_input_size(name)
    h, w = size[-2:]
    a, b = _image_candidates([(h, w)], [(h - 32, w - 64) if min(h, w) > 96 else (h, w), (h, w)])
    # C: batch 3 and a size neither A nor B has: larger, then smaller square, then twice the
    # native size (window models that only take multiples of their window); strict
    # fixed-size models take none
    c = _image_c([(h + 32, w + 32), (h - 64, w - 64) if min(h, w) > 96 else (h + 64, w + 64), (2 * h, 2 * w)])
    return Case("timm", name, build, a, b, [f"input_size={tuple(size)}"], c)


def _timm_input_size(name: str) -> Tuple[int, ...]:
    import timm

    cfg = timm.get_pretrained_cfg(name)
    size = getattr(cfg, "input_size", None) if cfg is not None else None
    return tuple(size) if size else (3, 224, 224)


def timm_cases() -> List[Case]:
    return [_timm_case(name) for name in TIMM_MODELS]


# --------------------------------------------------------------------------------------
# transformers
# --------------------------------------------------------------------------------------

_TINY = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=37, vocab_size=99)


def _text(seq_a=7, seq_b=13, seq_c=21, vocab=99, mask=True, extra=None) -> Tuple[list, list, list]:
    """input_ids (+ attention_mask): A is one sequence, B two, the second padded at the end
    (4 tokens); C three, of another length, the second padded by 6 tokens, the third by 2."""

    def call(n, seq, pads=(4,)):
        def make():
            kwargs = {"input_ids": torch.randint(3, vocab, (n, seq))}
            if mask:
                m = torch.ones(n, seq, dtype=torch.long)
                for row, pad in enumerate(pads[: n - 1], start=1):
                    m[row, seq - pad:] = 0
                kwargs["attention_mask"] = m
            if extra:
                kwargs.update(extra(n, seq))
            return (), kwargs
        return make

    return [call(1, seq_a)], [call(2, seq_b)], [call(3, seq_c, (6, 2))]


def _seq2seq(vocab=99):
    return _text(vocab=vocab, extra=lambda n, seq: {"decoder_input_ids": torch.randint(3, vocab, (n, max(2, seq - 3)))})


def _pixels(size_a, size_b, size_c, channels=3):
    return ([lambda: ((), {"pixel_values": torch.randn(1, channels, *size_a)})],
            [lambda: ((), {"pixel_values": torch.randn(2, channels, *size_b)})],
            [lambda: ((), {"pixel_values": torch.randn(3, channels, *size_c)})])


def _hf(class_name: str, config_name: str, config: Dict[str, Any], inputs: Tuple[list, ...], notes=()) -> Case:
    def build():
        import transformers

        cfg = getattr(transformers, config_name)(**config)
        return getattr(transformers, class_name)(cfg)

    a, b, c = inputs if len(inputs) == 3 else (*inputs, [])
    shown = ", ".join(f"{k}={v!r}" for k, v in config.items())
    return Case("transformers", class_name, build, a, b, [f"{config_name}({shown})", *notes], c)


def transformers_cases() -> List[Case]:
    t = _TINY
    dec = dict(t, use_cache=False)  # a cache object is neither scriptable nor traceable
    llama = dict(dec, num_key_value_heads=1, max_position_embeddings=64)
    vis = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=37,
               image_size=32, patch_size=4, num_channels=3)
    return [
        _hf("BertModel", "BertConfig", t, _text()),
        _hf("BertForSequenceClassification", "BertConfig", t, _text()),
        _hf("RobertaModel", "RobertaConfig", t, _text()),
        _hf("DistilBertModel", "DistilBertConfig", dict(dim=32, n_layers=2, n_heads=2, hidden_dim=37, vocab_size=99),
            _text()),
        _hf("AlbertModel", "AlbertConfig", dict(t, embedding_size=16), _text()),
        _hf("ElectraModel", "ElectraConfig", dict(t, embedding_size=16), _text()),
        _hf("DebertaV2Model", "DebertaV2Config", t, _text()),
        _hf("MPNetModel", "MPNetConfig", t, _text()),
        _hf("MobileBertModel", "MobileBertConfig",
            dict(t, embedding_size=16, intra_bottleneck_size=32, num_feedforward_networks=2), _text()),
        _hf("XLNetModel", "XLNetConfig", dict(d_model=32, n_layer=2, n_head=2, d_inner=37, vocab_size=99,
                                              use_mems_eval=False), _text()),
        _hf("GPT2Model", "GPT2Config", dict(n_embd=32, n_layer=2, n_head=2, vocab_size=99, n_positions=64,
                                            use_cache=False), _text()),
        _hf("GPT2LMHeadModel", "GPT2Config", dict(n_embd=32, n_layer=2, n_head=2, vocab_size=99, n_positions=64,
                                                  use_cache=False), _text()),
        _hf("GPTNeoModel", "GPTNeoConfig", dict(hidden_size=32, num_layers=2, num_heads=2, vocab_size=99,
                                                attention_types=[[["global", "local"], 1]], window_size=4,
                                                max_position_embeddings=64, use_cache=False), _text()),
        _hf("GPTJModel", "GPTJConfig", dict(n_embd=32, n_layer=2, n_head=2, rotary_dim=8, vocab_size=99,
                                            n_positions=64, use_cache=False), _text()),
        _hf("OPTModel", "OPTConfig", dict(dec, ffn_dim=37, word_embed_proj_dim=32, max_position_embeddings=64),
            _text()),
        _hf("BloomModel", "BloomConfig", dict(hidden_size=32, n_layer=2, n_head=2, vocab_size=99, use_cache=False),
            _text()),
        _hf("FalconModel", "FalconConfig", dict(dec, new_decoder_architecture=False), _text()),
        _hf("LlamaModel", "LlamaConfig", llama, _text()),
        _hf("LlamaForCausalLM", "LlamaConfig", llama, _text()),
        _hf("MistralModel", "MistralConfig", dict(llama, sliding_window=8), _text()),
        _hf("Qwen2Model", "Qwen2Config", llama, _text()),
        _hf("PhiModel", "PhiConfig", dict(dec, max_position_embeddings=64), _text()),
        _hf("T5Model", "T5Config", dict(d_model=32, d_kv=16, d_ff=37, num_layers=2, num_heads=2, vocab_size=99,
                                        use_cache=False), _seq2seq()),
        _hf("BartModel", "BartConfig", dict(d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=2,
                                            decoder_attention_heads=2, encoder_ffn_dim=37, decoder_ffn_dim=37,
                                            vocab_size=99, max_position_embeddings=64, use_cache=False),
            _seq2seq()),
        _hf("WhisperModel", "WhisperConfig",
            dict(d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=2, decoder_attention_heads=2,
                 encoder_ffn_dim=37, decoder_ffn_dim=37, vocab_size=99, num_mel_bins=16, max_source_positions=30,
                 max_target_positions=40, use_cache=False, pad_token_id=0, bos_token_id=1, eos_token_id=2,
                 decoder_start_token_id=3),
            # the encoder only takes 2 * max_source_positions frames: B and C vary batch and decoder length
            ([lambda: ((), {"input_features": torch.randn(1, 16, 60), "decoder_input_ids": torch.randint(3, 99, (1, 5))})],
             [lambda: ((), {"input_features": torch.randn(2, 16, 60), "decoder_input_ids": torch.randint(3, 99, (2, 9))})],
             [lambda: ((), {"input_features": torch.randn(3, 16, 60), "decoder_input_ids": torch.randint(3, 99, (3, 14))})])),
        # fixed image size: C offers another size, which these models reject (no C)
        _hf("ViTModel", "ViTConfig", vis, _pixels((32, 32), (32, 32), (48, 48)), ["fixed image size: B varies the batch only"]),
        _hf("DeiTModel", "DeiTConfig", vis, _pixels((32, 32), (32, 32), (48, 48)), ["fixed image size: B varies the batch only"]),
        _hf("BeitModel", "BeitConfig", dict(vis, use_relative_position_bias=True), _pixels((32, 32), (32, 32), (48, 48)),
            ["fixed image size: B varies the batch only"]),
        _hf("Dinov2Model", "Dinov2Config", vis, _pixels((32, 32), (40, 48), (56, 40)), ["interpolates position embeddings"]),
        _hf("SwinModel", "SwinConfig", dict(image_size=32, patch_size=2, embed_dim=16, depths=[1, 2], num_heads=[2, 2],
                                            window_size=4), _pixels((32, 32), (40, 48), (52, 36))),
        _hf("ConvNextModel", "ConvNextConfig", dict(hidden_sizes=[8, 16, 32, 64], depths=[1, 1, 2, 1]),
            _pixels((64, 64), (80, 96), (112, 72))),
        _hf("ResNetModel", "ResNetConfig", dict(embedding_size=16, hidden_sizes=[16, 32, 64, 64], depths=[1, 1, 1, 1]),
            _pixels((64, 64), (80, 96), (112, 72))),
        _hf("SegformerModel", "SegformerConfig", dict(num_encoder_blocks=2, depths=[1, 1], sr_ratios=[2, 1],
                                                      hidden_sizes=[16, 32], num_attention_heads=[1, 2],
                                                      decoder_hidden_size=32, mlp_ratios=[2, 2]),
            _pixels((64, 64), (80, 96), (112, 72))),
        _hf("CLIPModel", "CLIPConfig",
            dict(text_config=dict(t, max_position_embeddings=64), vision_config=dict(vis)),
            ([lambda: ((), {"input_ids": torch.randint(3, 99, (1, 7)), "pixel_values": torch.randn(1, 3, 32, 32)})],
             [lambda: ((), {"input_ids": torch.randint(3, 99, (3, 11)), "pixel_values": torch.randn(2, 3, 32, 32)})],
             [lambda: ((), {"input_ids": torch.randint(3, 99, (2, 17)), "pixel_values": torch.randn(4, 3, 32, 32)})])),
        _hf("Wav2Vec2Model", "Wav2Vec2Config",
            dict(t, conv_dim=(16, 16), conv_stride=(4, 4), conv_kernel=(8, 8), num_conv_pos_embeddings=16,
                 num_conv_pos_embedding_groups=2),
            ([lambda: ((), {"input_values": torch.randn(1, 400)})], [lambda: ((), {"input_values": torch.randn(2, 640)})],
             [lambda: ((), {"input_values": torch.randn(3, 1000)})])),
    ]


def cases(library: str) -> List[Case]:
    return {"torchvision": torchvision_cases, "timm": timm_cases, "transformers": transformers_cases}[library]()
