# The image routed GitLab jobs run in: your usual job image plus cutover.
# Built once per cutover revision by the `cutover-image` job; every later job
# pulls it (cached on the runner), so `cutover` is on PATH with no install
# step — the jobs `cutover ci gitlab` writes have empty before_script.
ARG BASE=debian:bookworm-slim

FROM rust:1-bookworm AS cutover
ARG CUTOVER_GIT
ARG CUTOVER_REV
RUN cargo install --locked --git "$CUTOVER_GIT" --rev "$CUTOVER_REV" cutover

FROM ${BASE}
COPY --from=cutover /usr/local/cargo/bin/cutover /usr/local/bin/cutover
