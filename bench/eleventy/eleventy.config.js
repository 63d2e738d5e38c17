// `make bench` only: the GOV.UK Eleventy plugin building the synthetic guide that bench/generate.py
// writes (its Eleventy copy: the same Markdown bodies, front matter for the plugin's layouts).
// bench/run.py runs Eleventy from this folder (the plugin finds govuk-frontend in ./node_modules),
// naming the input and output folders, in bench-output/, in BENCH_ELEVENTY_INPUT and BENCH_ELEVENTY_OUTPUT.
import { govukEleventyPlugin } from '@x-govuk/govuk-eleventy-plugin'

/**
 * BENCH_ELEVENTY_BREADCRUMBS=linear: the breadcrumbs from one map of the collection, built once.
 *
 * The plugin's base layout asks @11ty/eleventy-navigation's `eleventyNavigationBreadcrumb` for every
 * page's breadcrumbs, and that filter builds the navigation tree of the whole collection for each
 * call, scanning every page for the children of each page: n² per page, n³ for the site (four fifths
 * of a 1,000-page build). Sites with this plugin that grow large replace it with a filter like this
 * one; it returns the same entries (ancestors, root first), so the pages come out the same.
 */
function linearBreadcrumbs(eleventyConfig) {
  const maps = new WeakMap()
  const entriesByKey = (collection) => {
    if (!maps.has(collection)) {
      const byKey = new Map()
      for (const item of collection) {
        const navigation = item.data?.eleventyNavigation
        if (navigation?.key) {
          const url = navigation.url ?? item.data.page?.url
          byKey.set(navigation.key, {
            data: item.data,
            ...navigation,
            ...(url ? { url } : {}),
            title: navigation.title || navigation.key,
            pluginType: 'eleventy-navigation',
            _isBreadcrumb: true
          })
        }
      }
      maps.set(collection, byKey)
    }
    return maps.get(collection)
  }
  eleventyConfig.addFilter('eleventyNavigationBreadcrumb', (collection, key, options = {}) => {
    const byKey = entriesByKey(collection)
    const trail = []
    // Up the parents to a page without one (the tree's root); as the original, nothing if the page
    // is not in the tree (a parent missing on the way).
    for (let entry = byKey.get(key); entry; entry = entry.parent ? byKey.get(entry.parent) : null) {
      trail.unshift({ ...entry })
      if (!entry.parent) {
        if (!options.includeSelf) trail.pop()
        return trail
      }
    }
    return []
  })
}

export default function (eleventyConfig) {
  // The sub-navigation lists the guide's sidebar, as MkDocs' nav does: the 20 section start pages
  // (`sidebar: true`). Defined before the plugin, which then keeps it; the plugin's own takes every
  // Markdown page, and its glob would miss them all here (the input is outside this folder, so
  // their paths start with ../). Every page still has a navigation key, and the pages in a section
  // its start page as parent, for the plugin's breadcrumbs.
  eleventyConfig.addCollection('navigation', (collection) =>
    collection
      .getAll()
      .filter((item) => item.data.sidebar)
      .sort((a, b) => a.data.order - b.data.order)
  )

  eleventyConfig.addPlugin(govukEleventyPlugin, {
    header: { logotype: { text: 'Synthetic guide' } },
    serviceNavigation: {
      serviceName: 'Synthetic guide',
      serviceUrl: '/',
      navigation: [{ text: 'The guide', href: '/guide/section-00/' }]
    },
    titleSuffix: 'Synthetic guide'
  })
  if (process.env.BENCH_ELEVENTY_BREADCRUMBS === 'linear') {
    eleventyConfig.addPlugin(linearBreadcrumbs) // after the plugin, so its filter is replaced
  }

  // The input lives in git-ignored bench-output/.
  eleventyConfig.setUseGitIgnore(false)

  // In the config, not on the command line: the plugin writes its CSS and JavaScript to the
  // configured output folder.
  const { BENCH_ELEVENTY_INPUT: input, BENCH_ELEVENTY_OUTPUT: output } = process.env
  if (!input || !output) {
    throw new Error('Set BENCH_ELEVENTY_INPUT and BENCH_ELEVENTY_OUTPUT (bench/run.py does)')
  }
  return { dir: { input, output } }
}
