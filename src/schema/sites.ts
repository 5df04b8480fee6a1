/**
 * Activation sites (shared/spec/model.md "Forward"; metrics.md `fsd.site`): the one list of the sites FSD is
 * measured at, which models have which, and how many units each holds. All sites are at the last position.
 * - `block{l}.mlp.pre`: MLP hidden before GELU; `block{l}.mlp.post`: after GELU ("MLP hidden");
 * - `block{l}.attn.out`: attention output after W_O and b_O, before the residual add;
 * - `block{l}.resid.mid`: the residual stream entering block l's MLP (x + attention output), from which the
 *   last block can be finished with another MLP hidden (Engine.evaluateTail; the restricted-logit loss).
 */
import { z } from 'zod';
import type { ModelConfig } from './model.js';

/** Any capturable site of any block (the engines capture these). */
export type SiteName = `block${number}.${'mlp.pre' | 'mlp.post' | 'attn.out' | 'resid.mid'}`;

/** metrics.md `fsd.site`, canonical value first. */
export const FSD_SITES = ['block0.mlp.post', 'block0.mlp.pre', 'block1.mlp.post', 'block0.attn.out'] as const;
export type FsdSite = (typeof FSD_SITES)[number];
export const FsdSiteSchema = z.enum(FSD_SITES);
export const CANONICAL_FSD_SITE: FsdSite = FSD_SITES[0];

export interface ParsedSite {
  layer: number;
  kind: 'mlp.pre' | 'mlp.post' | 'attn.out' | 'resid.mid';
}

export function parseSite(site: string): ParsedSite {
  const m = /^block(\d+)\.(mlp\.pre|mlp\.post|attn\.out|resid\.mid)$/.exec(site);
  if (!m) throw new Error(`unknown site '${site}' (expected block<l>.mlp.pre, block<l>.mlp.post, block<l>.attn.out or block<l>.resid.mid)`);
  return { layer: Number(m[1]), kind: m[2] as ParsedSite['kind'] };
}

type SiteModel = Pick<ModelConfig, 'n_layers' | 'variant'>;

/** Whether a model of this shape has the site: attention sites need attention, MLP sites an MLP (model.md variants). */
export function hasSite(model: SiteModel, site: string): boolean {
  const { layer, kind } = parseSite(site);
  if (layer >= model.n_layers) return false;
  if (kind === 'resid.mid') return true;
  return kind === 'attn.out' ? model.variant !== 'mlp_only' : model.variant !== 'attn_only';
}

/** The capture a restricted-logit loss finishes from: the last block's `resid.mid` (null without an MLP). */
export function residualSite(config: { model: SiteModel }): SiteName | null {
  return config.model.variant === 'attn_only' ? null : (`block${config.model.n_layers - 1}.resid.mid` as SiteName);
}

/** The FSD sites the model has, in FSD_SITES order. */
export function fsdSitesOf(model: SiteModel): FsdSite[] {
  return FSD_SITES.filter((site) => hasSite(model, site));
}

/** The FSD site a model of this variant is measured at by default: block-0 attention output for attn_only (claims.md "arch"). */
export function defaultFsdSite(variant: ModelConfig['variant']): FsdSite {
  return variant === 'attn_only' ? 'block0.attn.out' : CANONICAL_FSD_SITE;
}

/** Units of a site: d_model for attention outputs and the residual stream, d_mlp for MLP hiddens. */
export function siteUnits(model: Pick<ModelConfig, 'd_model' | 'd_mlp'>, site: string): number {
  const kind = parseSite(site).kind;
  return kind === 'attn.out' || kind === 'resid.mid' ? model.d_model : model.d_mlp;
}

/** metrics.md `fsd.basis`, canonical value first: which Fourier basis FSD reads the answers in. */
export const FSD_BASES = ['additive', 'multiplicative'] as const;
export type FsdBasis = (typeof FSD_BASES)[number];

/**
 * The key of an FSD summary in a record's `fsd_alt`: `site@inputs`, with `:multiplicative` for the
 * multiplicative basis (recorded for multiplication runs, on the full grid, at the configured site).
 */
export function fsdAltKey(site: string, inputs: 'grid' | 'train' | 'validation', basis: FsdBasis = 'additive'): string {
  return `${site}@${inputs}${basis === 'additive' ? '' : `:${basis}`}`;
}
